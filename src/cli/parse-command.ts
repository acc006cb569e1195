import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import type { ComponentContext, Filter, ParserFactory } from '../core/components.js';
import { ConfigError, errorCode, errorMessage } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { fieldNaming, hasEcsTable } from '../ecs/field-naming.js';
import { createFilter } from '../filters/index.js';
import { isBrokenPipe, writeText } from '../outputs/stdout-output.js';
import { bufferRangeReader, frameParquet, type RangeReader } from '../parsers/framing/frame-parquet.js';
import { type FramedBatch, frameRecords } from '../parsers/framing/frame-records.js';
import { createParserFactory, parserConfigSchema, parserTypes } from '../parsers/index.js';
import { BuildProblems } from '../pipeline/build-problems.js';
import { rawTextRedactor } from '../pipeline/raw-text-redactor.js';
import { RecordLoop } from '../pipeline/record-loop.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { configPath } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const HELP = `Usage: sluice parse --parser TYPE FILE... | -
       sluice parse --config PATH --pipeline ID FILE... | -

Reads raw log files (plain or gzip, detected by magic bytes; multi-member gzip too; Parquet
for vpc_flow_parquet) and
prints one JSON event per line on stdout, each the document \`sluice run\` would index
(the worker's own record loop, \`_invalid_utf8\` tag included). With --pipeline it uses that
pipeline's parser, filters and max_record_bytes. Records that do not parse or are too long
go to stderr as JSON with the reason, redacted by the pipeline's filters as the dead-letter is.
Exits 0 unless a file could not be read. When the reader of stdout goes away
(\`sluice parse … | head\`), parse stops reading and exits 0.

Parsers: ${parserTypes.join(', ')}
`;

/** What every file is read with: the parser, the filters and the record limit of the pipeline (or of --parser). */
interface ParseOptions {
  parser: ParserFactory;
  filters: Filter[];
  maxRecordBytes: number;
  pipeline: string;
  /** The pipeline's `schema: ecs` rename, the record loop's last step. */
  rename?: (doc: Doc) => Doc;
  /** The filters' redactText chain: raw text and reasons on stderr are redacted as the dead-letter's are. */
  redact: (text: string) => string;
}

const OPTIONS = {
  parser: { type: 'string' },
  config: { type: 'string' },
  pipeline: { type: 'string' },
  'max-record-bytes': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function parseCommand(argv: string[], settings: Settings): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    process.stderr.write(`sluice parse: ${errorMessage(error)}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (positionals.length === 0 || (!values.parser && !values.pipeline)) {
    process.stderr.write(HELP);
    return EXIT_USAGE;
  }
  const options = values.pipeline ? await pipelineOptions(values, values.pipeline, settings) : parserOptions(values);
  if (typeof options === 'number') return options;

  // A reader that went away (EPIPE) fails the next write, and parse stops; without a listener it would crash.
  process.stdout.on('error', () => {});
  let exitCode = EXIT_OK;
  for (const file of positionals) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      // As the file source does: the file's mtime is the object's LastModified (the fallback event time).
      const lastModified = file === '-' ? Date.now() : (await stat(file)).mtime.getTime();
      await parseOne(file, name, options, lastModified);
    } catch (error) {
      if (error instanceof StdoutClosed) {
        if (file === '-') process.stdin.destroy();
        return exitCode;
      }
      exitCode = EXIT_FAILURE;
      const message = options.redact(errorMessage(error));
      process.stderr.write(`${JSON.stringify({ file: name, code: errorCode(error), error: message })}\n`);
    }
  }
  return exitCode;
}

/** --pipeline: that pipeline's parser (or --parser), filters and max_record_bytes; an exit code when it cannot be built. */
async function pipelineOptions(values: Values, id: string, settings: Settings): Promise<ParseOptions | number> {
  try {
    const config = await loadConfig(configPath(values.config, settings));
    const loaded = config.pipelines.find((p) => p.config.id === id);
    if (!loaded) {
      process.stderr.write(`sluice parse: no pipeline named ${id}\n`);
      return EXIT_CONFIG;
    }
    const parser = createParserFactory(
      values.parser ? parserConfigSchema.parse({ type: values.parser }) : loaded.config.parser,
    );
    const { schema } = loaded.config;
    if (schema === 'ecs' && !hasEcsTable(parser.type)) {
      process.stderr.write(
        `sluice parse: pipeline ${id} has schema: ecs, which the ${parser.type} parser has no names for\n`,
      );
      return EXIT_CONFIG;
    }
    const context: ComponentContext = {
      pipeline: loaded.config.id,
      logger: silentLogger(),
      metrics: new Metrics(),
      baseDir: loaded.baseDir,
    };
    // Built as a run builds them: a database that does not open is a problem at its setting (exit 78).
    const problems = new BuildProblems(loaded);
    const filters: Filter[] = [];
    for (const [index, filterConfig] of loaded.config.filters.entries()) {
      const filter = await problems.attempt(['filters', index], () => createFilter(filterConfig, context));
      if (filter) filters.push(filter);
    }
    if (!problems.empty) throw problems.error();
    const maxRecordBytes = loaded.config.max_record_bytes;
    const rename = fieldNaming(schema, parser.type)?.rename;
    return { parser, filters, maxRecordBytes, pipeline: id, rename, redact: rawTextRedactor(filters) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
}

/** --parser alone: that parser, no filters; an exit code when the type is unknown. */
function parserOptions(values: Values): ParseOptions | number {
  const config = parserConfigSchema.safeParse({ type: values.parser });
  if (!config.success) {
    process.stderr.write(
      `sluice parse: unknown parser "${values.parser}"; expected one of: ${parserTypes.join(', ')}\n`,
    );
    return EXIT_USAGE;
  }
  const maxRecordBytes = Number(values['max-record-bytes'] ?? 1024 * 1024);
  const parser = createParserFactory(config.data);
  return { parser, filters: [], maxRecordBytes, pipeline: 'parse', redact: rawTextRedactor([]) };
}

/** One file through the worker's own record loop, so each line prints as the document it would be indexed as. */
async function parseOne(file: string, name: string, options: ParseOptions, lastModified: number): Promise<void> {
  const { parser } = options;
  const loop = new RecordLoop({
    parser,
    filters: options.filters,
    rename: options.rename,
    object: { pipeline: options.pipeline, bucket: '', key: name, etag: '', lastModified },
    resumeAfter: 0,
    maxRecordBytes: options.maxRecordBytes,
  });
  if (parser.framing !== 'parquet') {
    const raw: Readable = file === '-' ? process.stdin : createReadStream(file);
    const decoded = decodeObjectStream(raw, { key: name });
    await printBatches(frameRecords(decoded, parser.framing, loop.framing), loop, name, options);
    return;
  }
  // Parquet is read by byte ranges: a file positionally; stdin has none, so it is read whole first.
  if (file === '-') {
    const reader = bufferRangeReader(await readAll(process.stdin));
    await printBatches(frameParquet(reader, loop.framing, { key: name }), loop, name, options);
    return;
  }
  const handle = await open(file, 'r');
  try {
    const reader: RangeReader = {
      size: (await handle.stat()).size,
      read: async (start, end) => {
        const bytes = Buffer.alloc(end - start);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
        return bytes.subarray(0, bytesRead);
      },
    };
    await printBatches(frameParquet(reader, loop.framing, { key: name }), loop, name, options);
  } finally {
    await handle.close();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Prints each batch's events on stdout and its failures on stderr, redacted. */
async function printBatches(
  batches: AsyncIterable<FramedBatch>,
  loop: RecordLoop,
  name: string,
  options: ParseOptions,
): Promise<void> {
  const out = process.stdout;
  for await (const batch of batches) {
    const result = loop.run(batch);
    if (result === null) continue;
    for (const { record, sub, code, reason, raw: text } of result.failures) {
      const raw = text === undefined ? undefined : options.redact(text);
      const line = JSON.stringify({ file: name, record, sub, code, reason: options.redact(reason), raw });
      process.stderr.write(`${line}\n`);
    }
    let text = '';
    for (const event of result.events) text += `${JSON.stringify(event.doc)}\n`;
    // Awaiting each write holds reading back to the pace of a slow reader.
    if (text) await writeText(out, text).catch(stdoutFailure);
  }
}

/** Standard output's reader went away: parse stops quietly (exit 0), as after the last record. */
class StdoutClosed extends Error {}

function stdoutFailure(error: unknown): never {
  if (isBrokenPipe(error)) throw new StdoutClosed('standard output closed');
  throw error;
}
