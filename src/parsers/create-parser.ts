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

/**
 * One factory per parser type, in the schema's order: the one home of the type list. The mapped
 * type makes the compiler refuse a type the schema has and the table lacks, or the reverse.
 */
const FACTORIES: { [T in ParserType]: (config: Extract<ParserConfig, { type: T }>) => ParserFactory } = {
  alb: () => albParserFactory(),
  alb_connection: () => albConnectionParserFactory(),
  elb: () => elbParserFactory(),
  nlb: () => nlbParserFactory(),
  waf: (config) => wafParserFactory({ maxDepth: config.max_depth }),
  cloudfront: (config) => cloudfrontParserFactory({ fields: config.fields }),
  s3_access: () => s3AccessParserFactory(),
  vpc_flow: (config) => vpcFlowParserFactory({ fields: config.fields }),
  vpc_flow_parquet: () => vpcFlowParquetParserFactory(),
  cloudtrail: (config) => cloudtrailParserFactory({ maxDepth: config.max_depth }),
  json_lines: (config) => jsonLinesParserFactory({ maxDepth: config.max_depth }),
  lines: (config) => linesParserFactory({ field: config.field }),
};

/** Every parser type, in the schema's order. */
export const PARSER_TYPES = Object.keys(FACTORIES) as ParserType[];

export function createParserFactory(config: ParserConfig): ParserFactory {
  // The table's entry for config.type takes exactly that variant of the config.
  return (FACTORIES[config.type] as (config: ParserConfig) => ParserFactory)(config);
}
