/**
 * Per-event costs of the serialization steps on their own, on parsed ALB documents: where the
 * time beyond parsing goes (the full path times them together, with the record loop).
 */
import { documentId } from '../src/core/document-id.js';
import type { Doc, Origin } from '../src/core/event.js';
import { encodeBulkAction } from '../src/outputs/opensearch/bulk-encoder.js';
import { createParserFactory } from '../src/parsers/index.js';
import { generateObject } from './generate-logs.js';

const INDEX = 'logs-2024.05.01';

export interface SerializationBreakdown {
  idNs: number;
  encodeNs: number;
  stringifyNs: number;
  originSpreadNs: number;
}

export function serializationBreakdown(key: string): SerializationBreakdown {
  const factory = createParserFactory({ type: 'alb' });
  const parser = factory.forObject('k');
  const text = generateObject('alb', 50_000, 99);
  const docs = text
    .split('\n')
    .filter(Boolean)
    .map((line, i) => parser.parse(line, i + 1)[0]!);
  const base = {
    pipeline: 'bench',
    bucket: 'bench-bucket',
    key,
    etag: '"e"',
    lastModified: 0,
  };
  const base0: Origin = { ...base, record: 0, sub: 0 };
  const time = (fn: (doc: Doc, i: number) => number): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      let sink = 0;
      const start = process.cpuUsage();
      for (let i = 0; i < docs.length; i++) sink += fn(docs[i]!, i);
      const used = process.cpuUsage(start);
      const ns = ((used.user + used.system) * 1000) / docs.length;
      if (sink === 0) throw new Error('nothing measured');
      best = Math.min(best, ns);
    }
    return best;
  };
  return {
    idNs: time((_doc, i) => {
      base0.record = i + 1;
      return documentId(base0).length;
    }),
    originSpreadNs: time((_doc, i) => ({ ...base, record: i + 1, sub: 0 }).record),
    stringifyNs: time((doc) => JSON.stringify(doc).length),
    encodeNs: time((doc) => encodeBulkAction('create', INDEX, 'abcdefghijklmnopqrstuvwxyz012345', doc).length),
  };
}
