/**
 * How a test names a pipeline's outputs: by index in `outputs` (0 is the first), or by what sets
 * it apart in the config: the index pattern of an opensearch output, the path of a file output,
 * `stdout`. Outputs carry no name of their own, and an index shifts when one is added.
 */
import type { PipelineConfig } from '../config/schema.js';
import type { OutputReference } from './test-file-schema.js';

type OutputConfig = PipelineConfig['outputs'][number];

/** The name an output answers to. */
export function outputName(output: OutputConfig): string {
  if (output.type === 'opensearch') return output.index;
  if (output.type === 'file') return output.path;
  return output.type;
}

/** `1 (waf-blocked-%{+YYYY.MM.dd})`: how a report shows an output. */
export function outputLabel(outputs: readonly OutputConfig[], index: number): string {
  const output = outputs[index];
  return output === undefined ? String(index) : `${index} (${outputName(output)})`;
}

/** The index a reference names, or why it names none or several. */
export function resolveOutputReference(
  reference: OutputReference,
  outputs: readonly OutputConfig[],
): { index: number } | { problem: string } {
  const names = outputs.map(outputName);
  const known = `the pipeline's outputs are ${names.map((name, index) => `${index} (${name})`).join(', ')}`;
  if (typeof reference === 'number') {
    return reference < outputs.length ? { index: reference } : { problem: `no output ${reference}; ${known}` };
  }
  const matching = names.flatMap((name, index) => (name === reference ? [index] : []));
  if (matching.length === 1) return { index: matching[0]! };
  if (matching.length === 0) return { problem: `no output named ${JSON.stringify(reference)}; ${known}` };
  return {
    problem: `${matching.length} outputs are named ${JSON.stringify(reference)} (${matching.join(', ')}); name one by its index`,
  };
}
