/**
 * The scanner behind the space-separated AWS formats (ALB, Classic ELB, S3 access, VPC flow).
 * Hand-written on purpose: one pass with indexOf, no regex, no per-line array allocation
 * (tokens go into a caller-owned array that is reused line after line).
 *
 * - Tokens are separated by one or more spaces.
 * - A token starting with `"` runs to the next unescaped `"`; inside it `\"` and `\\` are
 *   unescaped and nothing else is decoded.
 * - With `brackets`, a token starting with `[` runs to the next `]` (S3 access logs' time).
 * - A token that is exactly `-`, quoted or not, becomes null.
 */
export class TokenizeError extends Error {
  constructor(
    message: string,
    /** 0-based index of the token that failed. */
    readonly token: number,
  ) {
    super(message);
  }
}

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const DASH = 45;

/** Splits `line` into `out` (overwriting from index 0) and returns the number of tokens. */
export function tokenizeLine(line: string, out: (string | null)[], brackets = false): number {
  const length = line.length;
  let count = 0;
  let pos = 0;
  while (pos < length) {
    let code = line.charCodeAt(pos);
    while (code === SPACE) code = line.charCodeAt(++pos);
    if (pos >= length) break;
    if (code === QUOTE) {
      const start = pos + 1;
      let end = line.indexOf('"', start);
      if (end === -1) throw new TokenizeError(`unterminated quoted field starting at column ${pos + 1}`, count);
      const value = line.slice(start, end);
      // Look for backslashes inside this field only (searching the line would rescan its rest per field).
      if (value.indexOf('\\') !== -1) {
        const scanned = unescapeQuoted(line, start);
        if (scanned === null) throw new TokenizeError(`unterminated quoted field starting at column ${pos + 1}`, count);
        out[count++] = scanned.value === '-' ? null : scanned.value;
        end = scanned.end;
      } else {
        out[count++] = end - start === 1 && line.charCodeAt(start) === DASH ? null : value;
      }
      pos = end + 1;
      if (pos < length && line.charCodeAt(pos) !== SPACE) {
        throw new TokenizeError(`unexpected character after quoted field at column ${pos + 1}`, count - 1);
      }
    } else if (brackets && code === OPEN_BRACKET) {
      const end = line.indexOf(']', pos + 1);
      if (end === -1) throw new TokenizeError(`unterminated [bracketed] field starting at column ${pos + 1}`, count);
      out[count++] = line.slice(pos + 1, end);
      pos = end + 1;
    } else {
      let end = line.indexOf(' ', pos);
      if (end === -1) end = length;
      out[count++] = end - pos === 1 && code === DASH ? null : line.slice(pos, end);
      pos = end;
    }
  }
  return count;
}

/** The slow path for quoted fields holding backslashes: unescapes `\"` and `\\` only. */
function unescapeQuoted(line: string, start: number): { value: string; end: number } | null {
  let value = '';
  let from = start;
  for (let i = start; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === BACKSLASH) {
      const next = line.charCodeAt(i + 1);
      if (next === QUOTE || next === BACKSLASH) {
        value += line.slice(from, i);
        from = i + 1; // keep the escaped character itself
        i++;
      }
    } else if (code === QUOTE) {
      return { value: value + line.slice(from, i), end: i };
    }
  }
  return null;
}

/**
 * Splits `line` at runs of spaces into `out` without any quoting, for formats whose values never
 * hold a space but may hold quotes (NLB's alpn_client_preference_list is `"h2","http/1.1"`). A
 * token that is exactly `-` becomes null. Returns the number of tokens.
 */
export function splitPlainLine(line: string, out: (string | null)[]): number {
  const length = line.length;
  let count = 0;
  let pos = 0;
  while (pos < length) {
    while (line.charCodeAt(pos) === SPACE) pos++;
    if (pos >= length) break;
    let end = line.indexOf(' ', pos);
    if (end === -1) end = length;
    out[count++] = end - pos === 1 && line.charCodeAt(pos) === DASH ? null : line.slice(pos, end);
    pos = end;
  }
  return count;
}
