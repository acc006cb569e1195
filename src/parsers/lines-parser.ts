import type { ParserFactory } from '../core/components.js';

/** Each line as it is, under one field (`message` by default). */
export function linesParserFactory(options: { field?: string } = {}): ParserFactory {
  const field = options.field ?? 'message';
  return {
    type: 'lines',
    framing: 'lines',
    resumeReadsHeaders: false,
    forObject: () => ({ parse: (record: string) => [{ [field]: record }] }),
  };
}
