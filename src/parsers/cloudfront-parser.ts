import type { ParserFactory, RecordParser } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { defineOwnKey } from '../core/field-path.js';
import { fieldKey, MAX_HEADER_FIELDS } from './text/field-name.js';
import { checkFieldCount, toNumber } from './text/map-tokens.js';

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
 * fields they have; extra columns (up to MAX_APPENDED_FIELDS) are kept as `field_<n>`.
 */
class CloudfrontParser implements RecordParser {
  private columns: Column[];
  /** The columns are the documented default ones: lines of that length take the literal builder. */
  private standard: boolean;
  private readonly context: { key: string; record: number };

  constructor(
    fallback: readonly string[],
    private readonly key: string,
  ) {
    this.columns = columns(fallback);
    this.standard = isStandard(fallback);
    this.context = { key, record: 0 };
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
        if (names.length > MAX_HEADER_FIELDS) {
          throw new RecordParseError(
            `cloudfront: #Fields: header names ${names.length} fields, at most ${MAX_HEADER_FIELDS} are accepted; the ` +
              'lines of this object are read with the columns in use before it',
            { key: this.key, record: recordNumber, fields: names.length },
          );
        }
        this.columns = columns(names);
        this.standard = isStandard(names);
      }
      return [];
    }
    const values = record.split('\t');
    if (this.standard && values.length === cloudfrontDefaultFields.length) {
      this.context.record = recordNumber;
      return [standardDocument(values, this.context)];
    }
    if (values.length < 2) {
      throw new RecordParseError('cloudfront: not a tab-separated log line', { key: this.key, record: recordNumber });
    }
    checkFieldCount('cloudfront', values.length, this.columns.length, { key: this.key, record: recordNumber });
    const doc: Doc = {};
    const known = Math.min(values.length, this.columns.length);
    for (let i = 0; i < known; i++) {
      const column = this.columns[i]!;
      const value = values[i]!;
      // The names come from the object's own header: `__proto__` must stay a key, not swap the prototype.
      if (value === '-') defineOwnKey(doc, column.key, null);
      else if (column.numeric) doc[column.key] = toNumber(value, column.key, { key: this.key, record: recordNumber });
      else defineOwnKey(doc, column.key, value);
    }
    for (let i = known; i < values.length; i++) doc[`field_${i + 1}`] = values[i] === '-' ? null : values[i];
    return [doc];
  }
}

function isStandard(names: readonly string[]): boolean {
  return (
    names.length === cloudfrontDefaultFields.length && names.every((name, i) => name === cloudfrontDefaultFields[i])
  );
}

type Context = { key: string; record: number };

function text(value: string): string | null {
  return value === '-' ? null : value;
}

function number(value: string, field: string, context: Context): number | null {
  return value === '-' ? null : toNumber(value, field, context);
}

/**
 * The documented 33 columns as one object literal: one shape, no keyed stores. Must stay in
 * step with cloudfrontDefaultFields (a test compares it with the table-driven mapping).
 */
function standardDocument(v: readonly string[], context: Context): Doc {
  return {
    date: text(v[0]!),
    time: text(v[1]!),
    x_edge_location: text(v[2]!),
    sc_bytes: number(v[3]!, 'sc_bytes', context),
    c_ip: text(v[4]!),
    cs_method: text(v[5]!),
    cs_host: text(v[6]!),
    cs_uri_stem: text(v[7]!),
    sc_status: number(v[8]!, 'sc_status', context),
    cs_referer: text(v[9]!),
    cs_user_agent: text(v[10]!),
    cs_uri_query: text(v[11]!),
    cs_cookie: text(v[12]!),
    x_edge_result_type: text(v[13]!),
    x_edge_request_id: text(v[14]!),
    x_host_header: text(v[15]!),
    cs_protocol: text(v[16]!),
    cs_bytes: number(v[17]!, 'cs_bytes', context),
    time_taken: number(v[18]!, 'time_taken', context),
    x_forwarded_for: text(v[19]!),
    ssl_protocol: text(v[20]!),
    ssl_cipher: text(v[21]!),
    x_edge_response_result_type: text(v[22]!),
    cs_protocol_version: text(v[23]!),
    fle_status: text(v[24]!),
    fle_encrypted_fields: number(v[25]!, 'fle_encrypted_fields', context),
    c_port: number(v[26]!, 'c_port', context),
    time_to_first_byte: number(v[27]!, 'time_to_first_byte', context),
    x_edge_detailed_result_type: text(v[28]!),
    sc_content_type: text(v[29]!),
    sc_content_len: number(v[30]!, 'sc_content_len', context),
    sc_range_start: number(v[31]!, 'sc_range_start', context),
    sc_range_end: number(v[32]!, 'sc_range_end', context),
  };
}

export function cloudfrontParserFactory(options: { fields?: readonly string[] } = {}): ParserFactory {
  const fallback = options.fields ?? cloudfrontDefaultFields;
  return {
    type: 'cloudfront',
    framing: 'lines',
    // The `#Fields:` header names the columns of the lines after it.
    resumeReadsHeaders: true,
    forObject: (key) => new CloudfrontParser(fallback, key),
  };
}
