/**
 * The string rules of `redact`: each finds secrets inside one string and returns the string
 * with them hidden, leaving everything else as it was. They run per string on the hot path,
 * so each starts with a cheap test for the character it needs, and every regular expression
 * is linear (no nested quantifiers that can backtrack on hostile input).
 */
import { normalizeName } from './sensitive-names.js';

/** One way to find secrets inside a string. */
export type TextRedactor = (text: string) => string;

type Mask = (text: string) => string;

// `name=value` after a separator (start, ?, &, # for fragments such as OAuth's
// #access_token=, whitespace, a quote). The value ends at &, #, whitespace or a double quote
// (a raw JSON line must keep its structure); it runs on through a ?, failing closed. After a ;
// (a path parameter such as ;jsessionid=) the value also ends at ? and ;, where the path does.
const PLAIN_PARAM = /(;)([^=&?;#\s"']+)=([^&#\s"?;]+)|(^|[?&#\s"'])([^=&?;#\s"']+)=([^&#\s"]+)/g;
// The same inside an encoded URL (a redirect target in a query value): %3F, %26, %3B or %23
// before the name, %3D for =, and the value ends at %26, %23 or %20 as well.
const ENCODED_PARAM =
  /(%3[fF]|%26|%3[bB]|%23)((?:(?!%3[dDfFbB]|%2[63])[^=&?;#\s"'])+)(%3[dD])((?:(?!%2[036])[^&#\s"])+)/g;
const ENCODED_EQUALS = /%3[dD]/;

/**
 * Hides the value of every parameter whose normalized name is in `names`: `user%5Bpassword%5D`
 * and `%70assword` are `password`. A name that only contains a secret name (`user_token`) is
 * not one.
 */
export function queryParamRedactor(names: ReadonlySet<string>, mask: Mask): TextRedactor | undefined {
  if (names.size === 0) return undefined;
  const plain = (
    match: string,
    semicolon: string | undefined,
    pathName: string | undefined,
    pathValue: string | undefined,
    before: string | undefined,
    name: string | undefined,
    value: string | undefined,
  ) => {
    if (semicolon === undefined) return names.has(normalizeName(name!)) ? `${before}${name}=${mask(value!)}` : match;
    return names.has(normalizeName(pathName!)) ? `;${pathName}=${mask(pathValue!)}` : match;
  };
  const encoded = (match: string, before: string, name: string, equals: string, value: string) =>
    names.has(normalizeName(name)) ? `${before}${name}${equals}${mask(value)}` : match;
  // Without a % a secret name is in the text as written (any case, - or _), after a separator
  // or a [, and before = or the ]= of its bracket. One scan for any of them skips the
  // per-parameter work for the bulk of strings, which hold no secret (measured on ALB request
  // URLs: the scan costs less than half of the per-parameter replace it saves).
  const alternatives = [...names].map((name) => escapeRegExp(name).replaceAll('_', '[-_]'));
  const mayHold = new RegExp(`(?:^|[?&;#\\s"'[])(?:${alternatives.join('|')})(?:\\][[\\]]*)?=`, 'i');
  return (text) => {
    if (!text.includes('=')) return text;
    const encodedText = text.includes('%');
    let out = encodedText || mayHold.test(text) ? text.replace(PLAIN_PARAM, plain) : text;
    if (encodedText && ENCODED_EQUALS.test(out)) out = out.replace(ENCODED_PARAM, encoded);
    return out;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// `scheme://userinfo@`: the authority ends at /, ?, #, \, whitespace or a double quote; the userinfo
// is everything before its last @ (as URL parsers read it). A single quote does not end it: RFC 3986
// allows it in a password (and encodeURIComponent keeps it), so ending there would show the rest.
// The encoded form: %3A%2F%2F ... %40.
const PLAIN_USERINFO = /:\/\/([^/?#\\\s"<>]*)@/g;
const ENCODED_USERINFO = /%3[aA]%2[fF]%2[fF]((?:(?!%2[fF]|%3[fF]|%23|%40)[^/?#\\\s"<>&@])+)%40/g;

/** Hides the userinfo (user and password) of every URL in the string; host, path and query stay. */
export function userinfoRedactor(mask: Mask): TextRedactor {
  const plain = (match: string, userinfo: string) => (userinfo === '' ? match : `://${mask(userinfo)}@`);
  const encoded = (match: string, userinfo: string) => `${match.slice(0, 9)}${mask(userinfo)}${match.slice(-3)}`;
  return (text) => {
    // Most URLs have no @: test for it first.
    let out = text.includes('@') && text.includes('://') ? text.replace(PLAIN_USERINFO, plain) : text;
    if (out.includes('%') && /%3[aA]%2[fF]%2[fF]/.test(out)) out = out.replace(ENCODED_USERINFO, encoded);
    return out;
  };
}

/** A custom pattern: each match is hidden, or only its named group `value` when it has one. */
export function patternRedactor(pattern: string, mask: Mask): TextRedactor {
  const regex = new RegExp(pattern, 'dg');
  return (text) => {
    regex.lastIndex = 0;
    let out = '';
    let last = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++; // an empty match hides nothing; step over it
        continue;
      }
      const span = match.indices?.groups?.value ?? match.indices![0]!;
      if (span === undefined) continue; // the value group did not take part in this match
      out += text.slice(last, span[0]) + mask(text.slice(span[0], span[1]));
      last = span[1];
    }
    return last === 0 ? text : out + text.slice(last);
  };
}

// A header as WAF writes it in JSON: {"name":"Authorization","value":"..."} (escapes kept).
const JSON_HEADER = /("name"\s*:\s*")((?:[^"\\]|\\.)*)("\s*,\s*"value"\s*:\s*")((?:[^"\\]|\\.)*)"/g;

/** The string a JSON string body stands for (so a hash matches the one of the parsed value). */
function unescapeJson(body: string): string {
  if (!body.includes('\\')) return body;
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return body;
  }
}

/** For raw text that never became a document (dead-letter `raw`): header values in WAF's JSON form. */
export function jsonHeaderRedactor(names: ReadonlySet<string>, mask: Mask): TextRedactor | undefined {
  if (names.size === 0) return undefined;
  const replace = (match: string, open: string, name: string, middle: string, value: string) =>
    names.has(normalizeName(name))
      ? `${open}${name}${middle}${JSON.stringify(mask(unescapeJson(value))).slice(1)}`
      : match;
  return (text) => (text.includes('"value"') ? text.replace(JSON_HEADER, replace) : text);
}

/** Applies each redactor in turn; undefined when there is none. */
export function chainRedactors(redactors: Array<TextRedactor | undefined>): TextRedactor | undefined {
  const present = redactors.filter((redactor): redactor is TextRedactor => redactor !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return (text) => {
    let out = text;
    for (const redactor of present) out = redactor(out);
    return out;
  };
}
