import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LoadedPipeline } from '../../src/config/load-config.js';
import { pipelineConfigSchema } from '../../src/config/schema.js';
import { PipelineHarness } from '../../src/pipeline-test/pipeline-harness.js';

function loaded(schema: 'aws' | 'ecs'): LoadedPipeline {
  const config = pipelineConfigSchema.parse({
    id: 'waf',
    schema,
    source: { type: 'file', path: 'logs' },
    parser: { type: 'waf' },
    filters: [{ type: 'drop', when: { equals: { field: 'action', value: 'COUNT' } } }],
    outputs: [{ type: 'stdout' }, { type: 'stdout', when: { equals: { field: 'action', value: 'BLOCK' } } }],
    checkpoint: { type: 'file', directory: 'state' },
  });
  return {
    config,
    file: '/p/waf.yml',
    baseDir: '/p',
    index: 0,
    locate: () => ({ file: 'waf.yml', line: 1, column: 1 }),
  };
}

const input = () =>
  Readable.from([
    Buffer.from(
      `${[
        { action: 'BLOCK', httpRequest: { clientIp: '192.0.2.1' } },
        { action: 'ALLOW', httpRequest: { clientIp: '192.0.2.2' } },
        { action: 'COUNT' },
      ]
        .map((doc) => JSON.stringify(doc))
        .join('\n')}\n`,
    ),
  ]);

describe('PipelineHarness', () => {
  it('shows the events as indexed, routed and dropped by the parser names, when the schema is ecs', async () => {
    const harness = await PipelineHarness.build(loaded('ecs'));
    const outcome = await harness.run(input(), 'waf.log');
    expect(outcome.dropped).toEqual([3]);
    expect(outcome.events.map((event) => [event.doc.event, event.doc.source, event.outputs])).toEqual([
      [expect.objectContaining({ action: 'BLOCK' }), { ip: '192.0.2.1' }, [0, 1]],
      [expect.objectContaining({ action: 'ALLOW' }), { ip: '192.0.2.2' }, [0]],
    ]);
  });

  it('keeps the parser names when the schema is aws', async () => {
    const outcome = await (await PipelineHarness.build(loaded('aws'))).run(input(), 'waf.log');
    expect(outcome.events.map((event) => [event.doc.action, event.outputs])).toEqual([
      ['BLOCK', [0, 1]],
      ['ALLOW', [0]],
    ]);
  });
});
