import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { errorCode, errorMessage } from '../core/errors.js';
import { isBrokenPipe, writeText } from '../outputs/stdout-output.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import { createParserFactory, parserConfigSchema, parserTypes } from '../parsers/index.js';
import { rawTextRedactor } from '../pipeline/raw-text-redactor.js';
import { RecordLoop } from '../pipeline/record-loop.js';
import { decodeObjectStream } from '../sources/decompress.js';
import type { Settings } from './environment.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { ParseOptions } from './parse-pipeline.js';

const HELP = `Usage: sluice parse --parser TYPE FILE... | -
       sluice parse --config PATH --pipeline ID FILE... | -

Reads raw log files (plain or gzip, detected by magic bytes; multi-member gzip too) and
prints one JSON event per line on stdout, each the document \`sluice run\` would index
(the worker's own record loop, \`_invalid_utf8\` tag included). With --pipeline it uses that
pipeline's parser, filters and max_record_bytes. Records that do not parse or are too long
go to stderr as JSON with the reason, redacted by the pipeline's filters as the dead-letter is.
Exits 0 unless a file could not be read. When the reader of stdout goes away
(\`sluice parse … | head\`), parse stops reading and exits 0.

Parsers: ${parserTypes.join(', ')}
`;

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
  // --pipeline loads the config and every filter; --parser alone loads neither (a faster start).
  const options = values.pipeline
    ? await (await import('./parse-pipeline.js')).pipelineOptions(values, values.pipeline, settings)
    : parserOptions(values);
  if (typeof options === 'number') return options;

  // A reader that went away (EPIPE) fails the next write, and parse stops; without a listener it would crash.
  process.stdout.on('error', () => {});
  let exitCode = EXIT_OK;
  for (const file of positionals) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      // As the file source does: the file's mtime is the object's LastModified (the fallback event time).
      const lastModified = file === '-' ? Date.now() : (await stat(file)).mtime.getTime();
      const raw: Readable = file === '-' ? process.stdin : createReadStream(file);
      await parseOne(raw, name, options, lastModified);
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
async function parseOne(raw: Readable, name: string, options: ParseOptions, lastModified: number): Promise<void> {
  const { parser } = options;
  const loop = new RecordLoop({
    parser,
    filters: options.filters,
    object: { pipeline: options.pipeline, bucket: '', key: name, etag: '', lastModified },
    resumeAfter: 0,
    maxRecordBytes: options.maxRecordBytes,
  });
  const decoded = decodeObjectStream(raw, { key: name });
  const out = process.stdout;
  for await (const batch of frameRecords(decoded, parser.framing, loop.framing)) {
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
