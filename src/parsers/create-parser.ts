import type { ParserFactory } from '../core/components.js';
import { albConnectionParserFactory } from './alb-connection-parser.js';
import { albParserFactory } from './alb-parser.js';
import { cloudfrontParserFactory } from './cloudfront-parser.js';
import { cloudtrailParserFactory } from './cloudtrail-parser.js';
import { elbParserFactory } from './elb-parser.js';
import { jsonLinesParserFactory, wafParserFactory } from './json-object-parser.js';
import { linesParserFactory } from './lines-parser.js';
import { nlbParserFactory } from './nlb-parser.js';
import type { ParserConfig } from './parser-config.js';
import { s3AccessParserFactory } from './s3-access-parser.js';
import { vpcFlowParquetParserFactory } from './vpc-flow-parquet-parser.js';
import { vpcFlowParserFactory } from './vpc-flow-parser.js';

// The parser factories by type, apart from the `parser:` schema (parser-config.ts), so that
// `sluice parse --parser TYPE` starts without loading zod (~0.04 CPU-s of a 0.09 s start).

export type ParserType = ParserConfig['type'];

/** Every parser type, in the schema's order (the compiler checks both ways below). */
export const PARSER_TYPES = [
  'alb',
  'alb_connection',
  'elb',
  'nlb',
  'waf',
  'cloudfront',
  's3_access',
  'vpc_flow',
  'vpc_flow_parquet',
  'cloudtrail',
  'json_lines',
  'lines',
] as const satisfies readonly ParserType[];

// A type the schema has and the list lacks fails here.
const listsEveryType: Exclude<ParserType, (typeof PARSER_TYPES)[number]> extends never ? true : never = true;
void listsEveryType;

export function createParserFactory(config: ParserConfig): ParserFactory {
  switch (config.type) {
    case 'alb':
      return albParserFactory();
    case 'alb_connection':
      return albConnectionParserFactory();
    case 'elb':
      return elbParserFactory();
    case 'nlb':
      return nlbParserFactory();
    case 'waf':
      return wafParserFactory({ maxDepth: config.max_depth });
    case 'cloudfront':
      return cloudfrontParserFactory({ fields: config.fields });
    case 's3_access':
      return s3AccessParserFactory();
    case 'vpc_flow':
      return vpcFlowParserFactory({ fields: config.fields });
    case 'vpc_flow_parquet':
      return vpcFlowParquetParserFactory();
    case 'cloudtrail':
      return cloudtrailParserFactory({ maxDepth: config.max_depth });
    case 'json_lines':
      return jsonLinesParserFactory({ maxDepth: config.max_depth });
    case 'lines':
      return linesParserFactory({ field: config.field });
  }
}
