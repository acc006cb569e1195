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

/** JSON logs, one event per line, with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'sluice' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
