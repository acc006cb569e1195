import { fieldKey } from '../../../parsers/text/field-name.js';
import { VPC_FLOW_NUMERIC_FIELDS, vpcFlowKnownFields } from '../../../parsers/vpc-flow-parser.js';
import { KEYWORD, type Mapping } from './common-mappings.js';

/** Unix seconds in the documents; ISO 8601 in queries (a dashboard's time range) reads too. */
const EPOCH_SECONDS = 'epoch_second||strict_date_optional_time';

/** Numeric fields by their width; start and end are Unix seconds, searchable as dates. */
const NUMERIC: Record<string, Mapping> = {
  version: { type: 'short' },
  srcport: { type: 'integer' },
  dstport: { type: 'integer' },
  protocol: { type: 'short' },
  packets: { type: 'long' },
  bytes: { type: 'long' },
  start: { type: 'date', format: EPOCH_SECONDS },
  end: { type: 'date', format: EPOCH_SECONDS },
  'tcp-flags': { type: 'integer' },
  'traffic-path': { type: 'short' },
  'encryption-status': { type: 'short' },
};

const ADDRESSES = new Set(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']);

function mapping(name: string): Mapping {
  if (VPC_FLOW_NUMERIC_FIELDS.has(name)) {
    const numeric = NUMERIC[name];
    if (!numeric) throw new Error(`vpc-flow-mappings: numeric field ${name} has no mapping`);
    return numeric;
  }
  return ADDRESSES.has(name) ? { type: 'ip' } : KEYWORD;
}

/**
 * Every documented VPC flow log field under the names both flow log parsers emit (`log-status`
 * is `log_status`, as a Parquet file names its column), so text and Parquet flow logs share
 * one mapping. A custom format names some of these; fields no documentation names stay unmapped.
 */
export const vpcFlowProperties: Record<string, Mapping> = Object.fromEntries(
  vpcFlowKnownFields.map((name) => [fieldKey(name), mapping(name)]),
);
