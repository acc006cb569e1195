import type { ParserFactory, RecordParser } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { fieldKey } from './text/field-name.js';
import { toNumber } from './text/map-tokens.js';

/** The documented standard-log fields, used when an object has no `#Fields:` header. */
export const cloudfrontDefaultFields = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

const NUMERIC_FIELDS = new Set([
  'sc-bytes',
  'sc-status',
  'cs-bytes',
  'time-taken',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
]);

interface Column {
  key: string;
  numeric: boolean;
}

function columns(names: readonly string[]): Column[] {
  return names.map((name) => ({ key: fieldKey(name), numeric: NUMERIC_FIELDS.has(name.toLowerCase()) }));
}

/**
 * CloudFront standard (access) logs: tab-separated, with `#Version:` and `#Fields:` header
 * lines that define each object's columns. Values stay as CloudFront wrote them (URL-encoded
 * where CloudFront encodes): nothing is decoded. Lines shorter than the header yield the
 * fields they have; extra columns are kept as `field_<n>`.
 */
class CloudfrontParser implements RecordParser {
  private columns: Column[];

  constructor(
    fallback: readonly string[],
    private readonly key: string,
  ) {
    this.columns = columns(fallback);
  }

  parse(record: string, recordNumber: number): Doc[] {
    if (record.charCodeAt(0) === 35 /* # */) {
      if (record.startsWith('#Fields:')) {
        const names = record.slice('#Fields:'.length).trim().split(/\s+/).filter(Boolean);
        if (names.length === 0) {
          throw new RecordParseError('cloudfront: #Fields: header names no fields', {
            key: this.key,
            record: recordNumber,
          });
        }
        this.columns = columns(names);
      }
      return [];
    }
    const values = record.split('\t');
    if (values.length < 2) {
      throw new RecordParseError('cloudfront: not a tab-separated log line', { key: this.key, record: recordNumber });
    }
    const doc: Doc = {};
    const known = Math.min(values.length, this.columns.length);
    for (let i = 0; i < known; i++) {
      const column = this.columns[i]!;
      const value = values[i]!;
      if (value === '-') doc[column.key] = null;
      else if (column.numeric) doc[column.key] = toNumber(value, column.key, { key: this.key, record: recordNumber });
      else doc[column.key] = value;
    }
    for (let i = known; i < values.length; i++) doc[`field_${i + 1}`] = values[i] === '-' ? null : values[i];
    return [doc];
  }
}

export function cloudfrontParserFactory(options: { fields?: readonly string[] } = {}): ParserFactory {
  const fallback = options.fields ?? cloudfrontDefaultFields;
  return { type: 'cloudfront', framing: 'lines', forObject: (key) => new CloudfrontParser(fallback, key) };
}
