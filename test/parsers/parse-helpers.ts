import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParserFactory } from '../../src/core/components.js';
import type { Doc } from '../../src/core/event.js';

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/parsers/${name}`, import.meta.url)), 'utf8');
}

/** Lines of a fixture, without the empty last one. */
export function fixtureLines(name: string): string[] {
  return fixture(name)
    .split('\n')
    .filter((line) => line.length > 0);
}

/** Parses lines as one object does: one parser, records numbered from 1; returns every document. */
export function parseAll(factory: ParserFactory, lines: readonly string[], key = 'AWSLogs/test.log.gz'): Doc[] {
  const parser = factory.forObject(key);
  return lines.flatMap((line, i) => parser.parse(line, i + 1));
}

/** Parses one line with a fresh parser and returns its single document. */
export function parseOne(factory: ParserFactory, line: string): Doc {
  const docs = factory.forObject('k').parse(line, 1);
  if (docs.length !== 1) throw new Error(`expected one document, got ${docs.length}`);
  return docs[0]!;
}
