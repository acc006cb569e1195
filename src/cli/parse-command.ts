import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { errorCode, errorMessage } from '../core/errors.js';
import { isBrokenPipe, writeText } from '../outputs/stream-writes.js';
import { createParserFactory, PARSER_TYPES, type ParserType } from '../parsers/create-parser.js';
import { bufferRangeReader, frameParquet, type RangeReader } from '../parsers/framing/frame-parquet.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import { rawTextRedactor } from '../pipeline/raw-text-redactor.js';
import { RecordLoop } from '../pipeline/record-loop.js';
import { decodeObjectStream } from '../sources/decompress.js';
import type { Settings } from './environment.js';
import { EXIT_DATA, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { ParseOptions } from './parse-pipeline.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice parse --parser TYPE FILE... | -
       sluice parse --config PATH --pipeline ID [--show-route] FILE... | -

Reads raw log files (plain or gzip, detected by magic bytes; multi-member gzip too; Parquet
for vpc_flow_parquet) and
prints one JSON event per line on stdout, each the document \`sluice run\` would index
(the worker's own record loop, \`_invalid_utf8\` tag included). With --pipeline it uses that
pipeline's parser, filters and max_record_bytes. Records that do not parse or are too long
go to stderr as JSON with the reason, redacted by the pipeline's filters as the dead-letter is.
Exits 0 unless a file could not be read (1); with --fail-on-error, 65 when a record failed
(a check for CI: every line of these files parses). When the reader of stdout goes away
(\`sluice parse … | head\`), parse stops reading and exits 0.

Options:
  --config PATH    YAML file or folder (default: $SLUICE_CONFIG, else ./pipelines)
  --pipeline ID    use this pipeline's parser, filters, max_record_bytes (and schema)
  --parser TYPE    this parser (with --pipeline: instead of the pipeline's)
  --fail-on-error  exit 65 (EX_DATAERR) when any record did not parse or was too long
  --show-route     with --pipeline: print each event as {"doc":{...},"routes":[...]}, routes
                   being the outputs the worker would send it to, each as {"output":N,"type":T}
                   (N: its position in the pipeline's outputs list, from 0) plus "index" for an
                   opensearch output: the name its index pattern gives the event (before
                   max_indices, which depends on what a run already wrote). An event no output's
                   \`when\` takes has "routes":[]. The whole pipeline is built as \`sluice run\`
                   builds it (exit 78 when it cannot be); no service is contacted.

Parsers: ${PARSER_TYPES.join(', ')}
`;

const OPTIONS = {
  parser: { type: 'string' },
  config: { type: 'string' },
  pipeline: { type: 'string' },
  'max-record-bytes': { type: 'string' },
  'fail-on-error': { type: 'boolean' },
  'show-route': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function parseCommand(argv: string[], settings: Settings): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return reportBadArguments('parse', error, HELP);
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
  if (values['show-route'] && !values.pipeline) {
    return reportBadArguments('parse', new Error("--show-route needs --pipeline (routes are a pipeline's)"), HELP);
  }
  // --pipeline loads the config and every filter; --parser alone loads neither (a faster start).
  const options = values.pipeline
    ? await (await import('./parse-pipeline.js')).pipelineOptions(values, values.pipeline, settings)
    : parserOptions(values);
  if (typeof options === 'number') return options;
  try {
    return await parseFiles(positionals, options, values['fail-on-error'] === true);
  } finally {
    await options.close?.();
  }
}

/** Every file in turn; the exit code. */
async function parseFiles(positionals: string[], options: ParseOptions, failOnError: boolean): Promise<number> {
  // A reader that went away (EPIPE) fails the next write, and parse stops; without a listener it would crash.
  process.stdout.on('error', () => {});
  let exitCode = EXIT_OK;
  let failedRecords = 0;
  for (const file of positionals) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      // As the file source does: the file's mtime is the object's LastModified (the fallback event time).
      const lastModified = file === '-' ? Date.now() : (await stat(file)).mtime.getTime();
      failedRecords += await parseOne(file, name, options, lastModified);
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
  return exitCode === EXIT_OK && failOnError && failedRecords > 0 ? EXIT_DATA : exitCode;
}

/** --parser alone: that parser, no filters; an exit code when the type is unknown. */
function parserOptions(values: Values): ParseOptions | number {
  const type = values.parser as ParserType;
  if (!PARSER_TYPES.includes(type)) {
    process.stderr.write(
      `sluice parse: unknown parser "${values.parser}"; expected one of: ${PARSER_TYPES.join(', ')}\n`,
    );
    return EXIT_USAGE;
  }
  const maxRecordBytes = Number(values['max-record-bytes'] ?? 1024 * 1024);
  const parser = createParserFactory({ type } as Parameters<typeof createParserFactory>[0]);
  return { parser, filters: [], maxRecordBytes, pipeline: 'parse', redact: rawTextRedactor([]) };
}

/**
 * Records per framed batch in parse (the worker keeps framing's 2,000). Nothing here waits on an
 * acknowledgement, and a batch's lines, documents and printed text are what is alive when V8
 * collects its young generation: at 2,000 they outlived scavenges and were copied and promoted
 * (old-space collections every ~60 MB); at 250 most die young. ALB: ~30 % less CPU and half the
 * peak RSS, WAF ~20 % less (docs/BENCHMARKS.md); the output is the same bytes.
 */
const PRINT_BATCH_RECORDS = 250;

/**
 * One file through the worker's own record loop, so each line prints as the document it would
 * be indexed as; returns how many records failed.
 */
async function parseOne(file: string, name: string, options: ParseOptions, lastModified: number): Promise<number> {
  const { parser } = options;
  const loop = new RecordLoop({
    parser,
    filters: options.filters,
    rename: options.rename,
    object: { pipeline: options.pipeline, bucket: '', key: name, etag: '', lastModified },
    resumeAfter: 0,
    maxRecordBytes: options.maxRecordBytes,
  });
  const framing = { ...loop.framing, batchRecords: PRINT_BATCH_RECORDS };
  if (parser.framing !== 'parquet') {
    const raw: Readable = file === '-' ? process.stdin : createReadStream(file);
    const decoded = decodeObjectStream(raw, { key: name });
    return printBatches(frameRecords(decoded, parser.framing, framing), loop, name, options);
  }
  // Parquet is read by byte ranges: a file positionally; stdin has none, so it is read whole first.
  if (file === '-') {
    const reader = bufferRangeReader(await readAll(process.stdin));
    return printBatches(frameParquet(reader, framing, { key: name }), loop, name, options);
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
    return await printBatches(frameParquet(reader, framing, { key: name }), loop, name, options);
  } finally {
    await handle.close();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Prints each batch's events on stdout and its failures on stderr, redacted; returns how many records failed. */
async function printBatches(
  batches: AsyncIterable<FramedBatch>,
  loop: RecordLoop,
  name: string,
  options: ParseOptions,
): Promise<number> {
  const out = process.stdout;
  let failed = 0;
  for await (const batch of batches) {
    const result = loop.run(batch);
    if (result === null) continue;
    failed += result.failures.length;
    for (const { record, sub, code, reason, raw: text } of result.failures) {
      const raw = text === undefined ? undefined : options.redact(text);
      const line = JSON.stringify({ file: name, record, sub, code, reason: options.redact(reason), raw });
      process.stderr.write(`${line}\n`);
    }
    let text = '';
    const { routes } = options;
    if (routes)
      for (const event of result.events) text += `${JSON.stringify({ doc: event.doc, routes: routes(event) })}\n`;
    else for (const event of result.events) text += `${JSON.stringify(event.doc)}\n`;
    // Awaiting each write holds reading back to the pace of a slow reader.
    if (text) await writeText(out, text).catch(stdoutFailure);
  }
  return failed;
}

/** Standard output's reader went away: parse stops quietly (exit 0), as after the last record. */
class StdoutClosed extends Error {}

function stdoutFailure(error: unknown): never {
  if (isBrokenPipe(error)) throw new StdoutClosed('standard output closed');
  throw error;
}
