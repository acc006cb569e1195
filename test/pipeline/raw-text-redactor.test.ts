import { describe, expect, it } from 'vitest';
import type { Filter } from '../../src/core/components.js';
import { createRedactFilter, redactFilterSchema } from '../../src/filters/redact-filter.js';
import { rawTextRedactor } from '../../src/pipeline/raw-text-redactor.js';

const step = (type: string, from: string, to: string): Filter => ({
  type,
  apply: () => true,
  redactText: (text) => text.replaceAll(from, to),
});

describe('rawTextRedactor', () => {
  it('applies every filter that redacts text in filter order and skips the others', () => {
    const plain: Filter = { type: 'date', apply: () => true };
    const redact = rawTextRedactor([step('a', 'secret', 'A'), plain, step('b', 'A', 'B')]);
    expect(redact('my secret')).toBe('my B');
  });

  it('returns the text unchanged when no filter redacts text', () => {
    expect(rawTextRedactor([{ type: 'date', apply: () => true }])('password=hunter2')).toBe('password=hunter2');
    expect(rawTextRedactor([])('x')).toBe('x');
  });

  it("hides a query secret with the redact filter's own rules when the text is a raw line", () => {
    const redact = rawTextRedactor([createRedactFilter(redactFilterSchema.parse({ type: 'redact' }))]);
    expect(redact('GET /login?password=hunter2&user=bob HTTP/1.1')).not.toContain('hunter2');
    expect(redact('GET /login?password=hunter2&user=bob HTTP/1.1')).toContain('user=bob');
  });
});
