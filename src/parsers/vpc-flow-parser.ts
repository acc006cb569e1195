import type { ParserFactory, RecordParser } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { fieldKey, MAX_HEADER_FIELDS } from './text/field-name.js';
import { type FieldSpec, mapTokens, num, str } from './text/map-tokens.js';
import { TokenizeError, tokenizeLine } from './text/tokenize-line.js';

/** The default (version 2) format, used when a file has no header and no fields are configured. */
export const vpcFlowDefaultFields = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

/** Every field AWS documents for flow logs (versions 2 to 5 and later additions); a header names some of them. */
export const vpcFlowKnownFields: readonly string[] = [
  ...vpcFlowDefaultFields,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
  'resource-id',
  'encryption-status',
];

const KNOWN_FIELDS = new Set<string>(vpcFlowKnownFields);

/** The fields whose values are numbers (Parquet INT_32 or INT_64); every other field is text. */
export const VPC_FLOW_NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  'version',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
  'traffic-path',
  'encryption-status',
]);

const FIELD_NAME = /^[a-z][a-z0-9-]*$/;

export function vpcFlowSpecs(names: readonly string[]): FieldSpec[] {
  return names.map((name) => (VPC_FLOW_NUMERIC_FIELDS.has(name) ? num(fieldKey(name)) : str(fieldKey(name))));
}

/**
 * VPC flow log records. The file's first line names its fields (custom formats choose
 * their order); that header wins over configured `fields`, which serve files without a
 * header. NODATA and SKIPDATA records carry `-` for the traffic fields, which become null.
 */
class VpcFlowParser implements RecordParser {
  private readonly tokens: (string | null)[] = [];
  private specs: FieldSpec[];
  private source: string;
  private readonly context: { key: string; record: number };

  constructor(configured: readonly string[] | undefined, key: string) {
    this.specs = vpcFlowSpecs(configured ?? vpcFlowDefaultFields);
    this.source = configured ? 'the configured fields' : 'the default format';
    this.context = { key, record: 0 };
  }

  parse(record: string, recordNumber: number): Doc[] {
    this.context.record = recordNumber;
    let count: number;
    try {
      count = tokenizeLine(record, this.tokens);
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      throw new RecordParseError(`vpc_flow: ${error.message}`, { ...this.context });
    }
    if (count === 0) return [];
    if (this.isHeader(count)) {
      if (count > MAX_HEADER_FIELDS) {
        throw new RecordParseError(
          `vpc_flow: header names ${count} fields, at most ${MAX_HEADER_FIELDS} are accepted; the lines of this file are ` +
            `read with ${this.source}`,
          { ...this.context, fields: count },
        );
      }
      this.specs = vpcFlowSpecs(this.tokens.slice(0, count) as string[]);
      this.source = 'the header line';
      return [];
    }
    if (count !== this.specs.length) {
      throw new RecordParseError(
        `vpc_flow: line has ${count} fields but ${this.source} define ${this.specs.length}; set parser.fields to the flow log's format if the files have no header`,
        { ...this.context },
      );
    }
    return [mapTokens(this.tokens, count, this.specs, {}, this.context)];
  }

  private isHeader(count: number): boolean {
    if (!KNOWN_FIELDS.has(this.tokens[0] as string)) return false;
    for (let i = 0; i < count; i++) {
      const token = this.tokens[i];
      if (token === null || token === undefined || !FIELD_NAME.test(token)) return false;
    }
    return true;
  }
}

export function vpcFlowParserFactory(options: { fields?: readonly string[] } = {}): ParserFactory {
  return {
    type: 'vpc_flow',
    framing: 'lines',
    // The first line names the fields of every line after it.
    resumeReadsHeaders: true,
    forObject: (key) => new VpcFlowParser(options.fields, key),
  };
}
