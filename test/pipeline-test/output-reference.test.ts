import { describe, expect, it } from 'vitest';
import type { PipelineConfig } from '../../src/config/schema.js';
import { outputLabel, resolveOutputReference } from '../../src/pipeline-test/output-reference.js';

const outputs = [
  { type: 'opensearch', index: 'waf-logs-%{+YYYY.MM.dd}' },
  { type: 'opensearch', index: 'waf-blocked-%{+YYYY.MM.dd}' },
  { type: 'file', path: 'out/%{+YYYY}.ndjson' },
  { type: 'stdout' },
  { type: 'stdout' },
] as unknown as PipelineConfig['outputs'];

describe('resolveOutputReference', () => {
  it.each([
    [0, { index: 0 }],
    [4, { index: 4 }],
    ['waf-blocked-%{+YYYY.MM.dd}', { index: 1 }],
    ['out/%{+YYYY}.ndjson', { index: 2 }],
  ])('names output %j when it exists', (reference, found) => {
    expect(resolveOutputReference(reference, outputs)).toEqual(found);
  });

  it.each([
    [5, /^no output 5; the pipeline's outputs are 0 \(waf-logs-%\{\+YYYY\.MM\.dd\}\), 1 /],
    ['waf-logs', /^no output named "waf-logs"/],
    ['stdout', /^2 outputs are named "stdout" \(3, 4\); name one by its index$/],
  ])('says why %j names no single output', (reference, problem) => {
    const found = resolveOutputReference(reference, outputs);
    expect('problem' in found && found.problem).toMatch(problem);
  });
});

describe('outputLabel', () => {
  it('shows the index and the name when it labels an output', () => {
    expect(outputLabel(outputs, 1)).toBe('1 (waf-blocked-%{+YYYY.MM.dd})');
    expect(outputLabel(outputs, 3)).toBe('3 (stdout)');
  });
});
