// The parsers: the `parser:` schema (parser-config.ts) and the factories by type (create-parser.ts).
export { createParserFactory, PARSER_TYPES, type ParserType } from './create-parser.js';
export { type FramedBatch, frameRecords } from './framing/index.js';
export { type ParserConfig, parserConfigSchema } from './parser-config.js';
