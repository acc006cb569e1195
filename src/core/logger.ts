import { type Logger, pino } from 'pino';

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'Authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  'cookie',
  '*.cookie',
  'accessKeyId',
  '*.accessKeyId',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'auth.username',
  'auth.password',
  '*.auth.password',
];

export interface LoggerOptions {
  /** The caller decides (the CLI from SLUICE_LOG_LEVEL); core reads no environment. */
  level: string;
  /** Where lines go; stderr by default so that stdout stays free for data (`sluice parse`, stdout output). */
  destination?: NodeJS.WritableStream;
}

/**
 * The fields of one log call without those a child logger already carries: pino writes both,
 * and a JSON object with a key twice is read differently by different tools. A component's
 * logger names its pipeline (and an object's, its bucket and key) and an error's context names
 * them again. The same value is dropped; a different one is kept as `other_<key>`.
 */
export function withoutBound(fields: Record<string, unknown>, bound: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(bound, key)) continue;
    out ??= { ...fields };
    const value = out[key];
    delete out[key];
    if (value !== bound[key]) out[`other_${key}`] = value;
  }
  return out ?? fields;
}

/** JSON logs, one event per line, with secrets redacted and each key once. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'sluice' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args;
          if (first === null || typeof first !== 'object' || first instanceof Error) return method.apply(this, args);
          const fields = withoutBound(first as Record<string, unknown>, this.bindings());
          return method.apply(this, [fields, ...rest] as unknown as Parameters<typeof method>);
        },
      },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
