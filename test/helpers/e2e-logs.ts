/** One pino JSON line of a sluice process (logs go to stderr); `time` is ISO, as the logger writes it. */
export interface E2eLogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** The JSON log lines in a process's output; other lines (stdout data, stack traces) are ignored. */
export function logLines(output: string): E2eLogLine[] {
  const lines: E2eLogLine[] = [];
  for (const text of output.split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(text) as Partial<E2eLogLine>;
      if (typeof parsed.msg === 'string' && typeof parsed.time === 'string') lines.push(parsed as E2eLogLine);
    } catch {
      // a data line or a line cut by a kill: not a log line
    }
  }
  return lines;
}

/** Log lines whose message contains `text`. */
export function linesWith(output: string, text: string): E2eLogLine[] {
  return logLines(output).filter((line) => line.msg.includes(text));
}

/** Epoch ms of a log line. */
export function lineTime(line: E2eLogLine): number {
  return Date.parse(line.time);
}
