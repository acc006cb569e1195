import { RecordParseError } from '../../core/errors.js';
import type { Doc } from '../../core/event.js';

/** How one positional field of a text log becomes document fields (DESIGN.md §5). */
export type FieldSpec =
  | { kind: 'string'; name: string }
  | { kind: 'number'; name: string }
  /** `ip:port`, split at the last colon (IPv6 addresses are written without brackets). */
  | { kind: 'address'; name: string; ip: string; port: string }
  /** `METHOD URL PROTOCOL`: method before the first space, protocol after the last, the URL between. */
  | { kind: 'request'; name: string; method: string; url: string; protocol: string };

export const str = (name: string): FieldSpec => ({ kind: 'string', name });
export const num = (name: string): FieldSpec => ({ kind: 'number', name });
export const addr = (name: string, base: string): FieldSpec => ({
  kind: 'address',
  name,
  ip: `${base}_ip`,
  port: `${base}_port`,
});
export const req = (name: string): FieldSpec => ({
  kind: 'request',
  name,
  method: 'request_method',
  url: 'request_url',
  protocol: 'request_protocol',
});

/**
 * Writes tokens into `doc` by position. A shorter line (an older layout) yields the fields
 * it has; tokens past the known fields are kept as `field_<n>` (n = 1-based position), so
 * a field AWS appends tomorrow is indexed under a stable name instead of being lost.
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
        splitRequest(value, spec, doc);
        break;
    }
  }
  for (let i = known; i < count; i++) doc[`field_${i + 1}`] = tokens[i];
  return doc;
}

/** A JSON number from a decimal field; anything else is a parse error naming the field. */
export function toNumber(value: string, field: string, context: { key?: string; record: number }): number {
  const n = Number(value);
  // Number('') and Number(' ') are 0, Number('0x1f') is 31: only plain decimals are numbers here.
  if (Number.isNaN(n) || value.length === 0 || !isDecimalStart(value.charCodeAt(0))) {
    throw new RecordParseError(`field ${field}: ${JSON.stringify(value)} is not a number`, { ...context, field });
  }
  if (value.length > 2 && (value.charCodeAt(1) === 120 || value.charCodeAt(1) === 111 || value.charCodeAt(1) === 98)) {
    throw new RecordParseError(`field ${field}: ${JSON.stringify(value)} is not a number`, { ...context, field });
  }
  return n;
}

function isDecimalStart(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45 || code === 46;
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
