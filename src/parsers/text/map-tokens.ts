import { RecordParseError } from '../../core/errors.js';
import type { Doc } from '../../core/event.js';

/** How one positional field of a text log becomes document fields, named as AWS names it in snake_case. */
export type FieldSpec =
  | { kind: 'string'; name: string }
  | { kind: 'number'; name: string }
  /** `ip:port`, split at the last colon (IPv6 addresses are written without brackets). */
  | { kind: 'address'; name: string; ip: string; port: string }
  /**
   * `METHOD URL PROTOCOL`: method before the first space, protocol after the last, the URL between;
   * with `whole`, the value is also kept as it is under that name (S3's Request-URI).
   */
  | { kind: 'request'; name: string; method: string; url: string; protocol: string; whole?: string };

export const str = (name: string): FieldSpec => ({ kind: 'string', name });
export const num = (name: string): FieldSpec => ({ kind: 'number', name });
export const addr = (name: string, base: string): FieldSpec => ({
  kind: 'address',
  name,
  ip: `${base}_ip`,
  port: `${base}_port`,
});
export const req = (name: string, options: { keepWhole?: boolean } = {}): FieldSpec => ({
  kind: 'request',
  name,
  method: 'request_method',
  url: 'request_url',
  protocol: 'request_protocol',
  ...(options.keepWhole ? { whole: name } : {}),
});

/**
 * Fields a line may have past the known ones. AWS appends one to three a year to a format, so
 * eight is years of slack; a line with more is not a newer layout but several records glued
 * together (CR-only line endings) or garbage, and kept as keys it would flood the index
 * mapping (one line of 1,000 tokens is 1,000 new fields).
 */
export const MAX_APPENDED_FIELDS = 8;

/** A line with more than MAX_APPENDED_FIELDS past the known fields: a parse failure naming the count. */
export function checkFieldCount(
  type: string,
  count: number,
  known: number,
  context: { key: string; record: number },
): void {
  if (count <= known + MAX_APPENDED_FIELDS) return;
  throw new RecordParseError(
    `${type}: line has ${count} fields, more than the ${known} known plus ${MAX_APPENDED_FIELDS} appended ones a newer ` +
      'layout could add; records glued together (CR-only line endings?) or not a line of this format',
    { ...context, fields: count },
  );
}

/**
 * Writes tokens into `doc` by position. A shorter line (an older layout) yields the fields
 * it has; tokens past the known fields are kept as `field_<n>` (n = 1-based position), so
 * a field AWS appends tomorrow is indexed under a stable name instead of being lost. Callers
 * refuse lines with more than MAX_APPENDED_FIELDS of those first (checkFieldCount).
 */
export function mapTokens(
  tokens: readonly (string | null)[],
  count: number,
  specs: readonly FieldSpec[],
  doc: Doc,
  context: { key: string; record: number },
): Doc {
  const known = Math.min(count, specs.length);
  for (let i = 0; i < known; i++) {
    const spec = specs[i]!;
    const value = tokens[i]!;
    switch (spec.kind) {
      case 'string':
        doc[spec.name] = value;
        break;
      case 'number':
        doc[spec.name] = value === null ? null : toNumber(value, spec.name, context);
        break;
      case 'address':
        splitAddress(value, spec, doc, context);
        break;
      case 'request':
        if (spec.whole !== undefined) doc[spec.whole] = value;
        splitRequest(value, spec, doc);
        break;
    }
  }
  for (let i = known; i < count; i++) doc[`field_${i + 1}`] = tokens[i];
  return doc;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A JSON number from a decimal field (`200`, `-1`, `0.000073`); anything else is a parse
 * error naming the field. Hand-rolled because Number() is a hot spot and accepts more
 * than decimals (`0x1f`, `1e3`, `Infinity`, `''`): digits are gathered into an integer and
 * divided once by a power of ten, which IEEE division rounds exactly as Number() would
 * (both operands are exact below 2^53). Longer values fall back to Number().
 */
export function toNumber(value: string, field: string, context: { key?: string; record: number }): number {
  const length = value.length;
  let i = 0;
  let negative = false;
  if (value.charCodeAt(0) === 45 /* - */) {
    negative = true;
    i = 1;
  }
  let n = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      n = n * 10 + (code - 48);
      digits++;
    } else if (code === 46 /* . */ && fraction === -1) {
      fraction = i;
    } else {
      throw new RecordParseError(`field ${field}: ${JSON.stringify(value)} is not a number`, { ...context, field });
    }
  }
  if (digits === 0) {
    throw new RecordParseError(`field ${field}: ${JSON.stringify(value)} is not a number`, { ...context, field });
  }
  if (digits > 15) return Number(value);
  if (fraction !== -1) n /= POWERS_OF_TEN[length - 1 - fraction]!;
  return negative ? -n : n;
}

function splitAddress(
  value: string | null,
  spec: { name: string; ip: string; port: string },
  doc: Doc,
  context: { key: string; record: number },
): void {
  if (value === null) {
    doc[spec.ip] = null;
    doc[spec.port] = null;
    return;
  }
  const colon = value.lastIndexOf(':');
  if (colon === -1) {
    throw new RecordParseError(`field ${spec.name}: ${JSON.stringify(value)} is not ip:port`, {
      ...context,
      field: spec.name,
    });
  }
  doc[spec.ip] = value.slice(0, colon);
  doc[spec.port] = toNumber(value.slice(colon + 1), spec.port, context);
}

function splitRequest(value: string | null, spec: { method: string; url: string; protocol: string }, doc: Doc): void {
  if (value === null) {
    doc[spec.method] = null;
    doc[spec.url] = null;
    doc[spec.protocol] = null;
    return;
  }
  // Classic ELB writes "- - - " (trailing space) for TCP listeners.
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 32) end--;
  const first = value.indexOf(' ');
  if (first === -1 || first >= end) {
    doc[spec.method] = dashToNull(value.slice(0, end));
    doc[spec.url] = null;
    doc[spec.protocol] = null;
    return;
  }
  const last = value.lastIndexOf(' ', end - 1);
  doc[spec.method] = dashToNull(value.slice(0, first));
  if (last === first) {
    doc[spec.url] = dashToNull(value.slice(first + 1, end));
    doc[spec.protocol] = null;
  } else {
    doc[spec.url] = dashToNull(value.slice(first + 1, last));
    doc[spec.protocol] = dashToNull(value.slice(last + 1, end));
  }
}

function dashToNull(value: string): string | null {
  return value === '-' || value === '' ? null : value;
}
