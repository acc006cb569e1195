import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import type { ComponentContext, Filter, ParserFactory } from '../core/components.js';
import { ConfigError, errorCode, errorMessage } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { createFilter } from '../filters/index.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import { createParserFactory, parserConfigSchema, parserTypes } from '../parsers/index.js';
import { decodeObjectStream } from '../sources/decompress.js';
import { configPath } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const HELP = `Usage: sluice parse --parser TYPE FILE... | -
       sluice parse --config PATH --pipeline ID FILE... | -

Reads raw log files (plain or gzip, detected by magic bytes; multi-member gzip too) and
prints one JSON event per line on stdout. With --pipeline it uses that pipeline's parser
and applies its filters. Records that do not parse go to stderr as JSON with the reason.
Exits 0 unless a file could not be read.

Parsers: ${parserTypes.join(', ')}
`;

export async function parseCommand(argv: string[], settings: Settings): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        parser: { type: 'string' };
        config: { type: 'string' };
        pipeline: { type: 'string' };
        'max-record-bytes': { type: 'string' };
        help: { type: 'boolean' };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        parser: { type: 'string' },
        config: { type: 'string' },
        pipeline: { type: 'string' },
        'max-record-bytes': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
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
  let parser: ParserFactory;
  const filters: Filter[] = [];
  let maxRecordBytes = Number(values['max-record-bytes'] ?? 1024 * 1024);
  const pipelineId = values.pipeline ?? 'parse';
  if (values.pipeline) {
    try {
      const config = await loadConfig(configPath(values.config, settings));
      const loaded = config.pipelines.find((p) => p.config.id === values.pipeline);
      if (!loaded) {
        process.stderr.write(`sluice parse: no pipeline named ${values.pipeline}\n`);
        return EXIT_CONFIG;
      }
      parser = createParserFactory(
        values.parser ? parserConfigSchema.parse({ type: values.parser }) : loaded.config.parser,
      );
      maxRecordBytes = loaded.config.max_record_bytes;
      const context: ComponentContext = {
        pipeline: loaded.config.id,
        logger: silentLogger(),
        metrics: new Metrics(),
        baseDir: loaded.baseDir,
      };
      for (const filterConfig of loaded.config.filters) filters.push(await createFilter(filterConfig, context));
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        return EXIT_CONFIG;
      }
      throw error;
    }
  } else {
    const config = parserConfigSchema.safeParse({ type: values.parser });
    if (!config.success) {
      process.stderr.write(
        `sluice parse: unknown parser "${values.parser}"; expected one of: ${parserTypes.join(', ')}\n`,
      );
      return EXIT_USAGE;
    }
    parser = createParserFactory(config.data);
  }

  let exitCode = EXIT_OK;
  for (const file of positionals) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      const raw: Readable = file === '-' ? process.stdin : createReadStream(file);
      await parseOne(raw, name, parser, filters, maxRecordBytes, pipelineId);
    } catch (error) {
      exitCode = EXIT_FAILURE;
      process.stderr.write(`${JSON.stringify({ file: name, code: errorCode(error), error: errorMessage(error) })}\n`);
    }
  }
  return exitCode;
}

async function parseOne(
  raw: Readable,
  name: string,
  factory: ParserFactory,
  filters: Filter[],
  maxRecordBytes: number,
  pipeline: string,
): Promise<void> {
  const parser = factory.forObject(name);
  const decoded = decodeObjectStream(raw, { key: name });
  const out = process.stdout;
  for await (const batch of frameRecords(decoded, factory.framing, { maxRecordBytes })) {
    let text = '';
    for (const oversized of batch.oversized) {
      process.stderr.write(
        `${JSON.stringify({ file: name, record: oversized.record, code: 'ERR_RECORD_TOO_LARGE', reason: `record of ${oversized.bytes} bytes exceeds ${maxRecordBytes}` })}\n`,
      );
    }
    for (let i = 0; i < batch.records.length; i++) {
      const record = batch.recordNumbers[i]!;
      try {
        const docs = parser.parse(batch.records[i]!, record);
        docs.forEach((doc, sub) => {
          const event: LogEvent = {
            doc,
            origin: { pipeline, bucket: '', key: name, etag: '', record, sub, lastModified: Date.now() },
          };
          for (const filter of filters) if (!filter.apply(event)) return;
          text += `${JSON.stringify(event.doc)}\n`;
        });
      } catch (error) {
        process.stderr.write(
          `${JSON.stringify({ file: name, record, code: errorCode(error), reason: errorMessage(error), raw: batch.records[i] })}\n`,
        );
      }
    }
    if (text && !out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  }
}
