import type { ParserFactory, RecordParser } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { toNumber } from './text/map-tokens.js';
import { VPC_FLOW_NUMERIC_FIELDS } from './vpc-flow-parser.js';

/** How one Parquet column becomes a document field. */
interface ColumnSpec {
  /** The document key: the column name lowercased, `-` as `_` (AWS already writes `log_status`). */
  key: string;
  /** A number field of the text format (srcport, bytes, start...): numbers whatever the column's type. */
  numeric: boolean;
}

function columnSpec(column: string): ColumnSpec {
  const key = column.toLowerCase().replace(/-/g, '_');
  return { key, numeric: VPC_FLOW_NUMERIC_FIELDS.has(key.replace(/_/g, '-')) };
}

type Context = { key: string; record: number };

/**
 * One Parquet value as the text parser (vpc-flow-parser.ts) would have written the same field,
 * so both file formats give the same documents: numbers for numeric fields (INT64 arrives as
 * bigint), text for the rest (an account id stays a string), `-` or a null as null.
 */
function fieldValue(value: unknown, spec: ColumnSpec, context: Context): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      if (!spec.numeric) return value.toString();
      // Past 2^53 a double would round the count: kept exact as text.
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'number':
      return spec.numeric ? value : String(value);
    case 'string':
      if (value === '-') return null;
      return spec.numeric ? toNumber(value, spec.key, context) : value;
    case 'boolean':
      return value;
    default:
      if (value instanceof Date) return value.toISOString();
      throw new RecordParseError(
        `vpc_flow_parquet: column ${spec.key} holds a nested or binary value; flow log columns are flat`,
        { ...context, field: spec.key },
      );
  }
}

/**
 * Rows of VPC flow logs delivered as Parquet (`file-format=parquet`). AWS names the columns
 * after the fields with `_` for `-` (account_id, log_status); the documents carry the same
 * names and values as the text parser's, so one template and the same dashboards serve both.
 */
class VpcFlowParquetParser implements RecordParser {
  private columns: readonly string[] | undefined;
  private specs: ColumnSpec[] = [];
  private readonly context: Context;

  constructor(key: string) {
    this.context = { key, record: 0 };
  }

  parse(_record: string, recordNumber: number): Doc[] {
    throw new RecordParseError('vpc_flow_parquet reads the rows of Parquet files; text flow logs are parser vpc_flow', {
      key: this.context.key,
      record: recordNumber,
    });
  }

  parseRow(values: readonly unknown[], columns: readonly string[], recordNumber: number): Doc[] {
    // The framing passes one columns array per object: the specs are built once.
    if (columns !== this.columns) {
      this.specs = columns.map(columnSpec);
      this.columns = columns;
    }
    this.context.record = recordNumber;
    const specs = this.specs;
    const doc: Doc = {};
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      doc[spec.key] = fieldValue(values[i], spec, this.context);
    }
    return [doc];
  }
}

export function vpcFlowParquetParserFactory(): ParserFactory {
  return {
    type: 'vpc_flow_parquet',
    framing: 'parquet',
    // Rows are numbered by ordinal and the schema is in the footer: a resume reads no earlier row.
    resumeReadsHeaders: false,
    forObject: (key) => new VpcFlowParquetParser(key),
  };
}
