/**
 * Compares what a case expects with what its input produced. Pure: every difference becomes
 * one mismatch that says which event, which check, the expected and the actual value, and
 * where in the test file the expectation is written.
 */
import type { Position } from '../config/yaml-position.js';
import { type FieldPath, getField, parseFieldPath } from '../core/field-path.js';
import type { Condition, DocPredicate } from '../filters/condition.js';
import type { ActualDeadLetter, ActualEvent, CaseOutcome } from './pipeline-harness.js';
import { formatValue, valueDifferences } from './value-diff.js';

/** One expected event, its field paths parsed, conditions compiled and output references resolved. */
export interface PreparedEvent {
  at: Position;
  record?: number;
  recordAt?: Position;
  fields: { name: string; path: FieldPath; value: unknown; at: Position }[];
  conditions: { condition: Condition; holds: DocPredicate; at: Position }[];
  /** Output indexes, ascending. */
  outputs?: number[];
  outputsAt?: Position;
}

export interface PreparedDeadLetter {
  record: number;
  sub?: number;
  code: string;
  reason?: RegExp;
}

/** A case's expectations, ready to compare; a key the case left out is undefined and not checked. */
export interface PreparedCase {
  events?: PreparedEvent[];
  eventsAt?: Position;
  dropped?: number[];
  droppedAt?: Position;
  deadLetters?: PreparedDeadLetter[];
  deadLettersAt?: Position;
}

export interface Mismatch {
  /** `event 2 (record 3)`, `events`, `dropped`, `dead letters`. */
  subject: string;
  /** What was compared: `field client_ip`, `condition {...}`, `outputs`, `count`. */
  check: string;
  /** May span lines. */
  expected: string;
  actual: string;
  at?: Position;
  /** The actual event's index when the mismatch is about one event (its document is shown once). */
  event?: number;
}

/** How a report names output `index` (index and name). */
export type OutputLabel = (index: number) => string;

export function compareCase(expected: PreparedCase, outcome: CaseOutcome, label: OutputLabel): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (expected.events) mismatches.push(...compareEvents(expected.events, outcome.events, label, expected.eventsAt));
  if (expected.dropped && !sameNumbers(expected.dropped, outcome.dropped)) {
    mismatches.push({
      subject: 'dropped',
      check: 'records of the events a filter dropped',
      expected: formatValue(expected.dropped),
      actual: formatValue(outcome.dropped),
      at: expected.droppedAt,
    });
  }
  if (expected.deadLetters && !deadLettersMatch(expected.deadLetters, outcome.deadLetters)) {
    mismatches.push({
      subject: 'dead letters',
      check: 'entries',
      expected: expected.deadLetters.map(expectedEntryText).join('\n') || '(none)',
      actual: outcome.deadLetters.map(actualEntryText).join('\n') || '(none)',
      at: expected.deadLettersAt,
    });
  }
  return mismatches;
}

export function eventSubject(index: number, event: ActualEvent | undefined): string {
  if (!event) return `event ${index + 1}`;
  return `event ${index + 1} (record ${event.record}${event.sub > 0 ? `, sub ${event.sub}` : ''})`;
}

function compareEvents(
  expected: PreparedEvent[],
  actual: ActualEvent[],
  label: OutputLabel,
  at: Position | undefined,
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (expected.length !== actual.length) {
    const records = actual.map((event) => event.record);
    mismatches.push({
      subject: 'events',
      check: 'count',
      expected: String(expected.length),
      actual: `${actual.length}${actual.length > 0 ? ` (from records ${records.join(', ')})` : ''}`,
      at,
    });
  }
  const shared = Math.min(expected.length, actual.length);
  for (let i = 0; i < shared; i++) mismatches.push(...compareEvent(expected[i]!, actual[i]!, i, label));
  // Events nobody expected: shown whole, so the expectation can be written from them.
  for (let i = shared; i < actual.length; i++) {
    mismatches.push({
      subject: eventSubject(i, actual[i]),
      check: 'not expected',
      expected: '(none)',
      actual: '',
      event: i,
    });
  }
  return mismatches;
}

function compareEvent(expected: PreparedEvent, actual: ActualEvent, index: number, label: OutputLabel): Mismatch[] {
  const subject = eventSubject(index, actual);
  const mismatches: Mismatch[] = [];
  const add = (check: string, want: string, got: string, at: Position) =>
    mismatches.push({ subject, check, expected: want, actual: got, at, event: index });
  if (expected.record !== undefined && expected.record !== actual.record) {
    add('record', String(expected.record), String(actual.record), expected.recordAt ?? expected.at);
  }
  for (const field of expected.fields) {
    for (const difference of valueDifferences(field.value, getField(actual.doc, field.path))) {
      const name =
        difference.path === ''
          ? field.name
          : `${field.name}${difference.path.startsWith('[') ? '' : '.'}${difference.path}`;
      add(`field ${name}`, formatValue(difference.expected), formatValue(difference.actual), field.at);
    }
  }
  for (const { condition, holds, at } of expected.conditions) {
    if (holds(actual.doc)) continue;
    const seen = fieldsOf(condition).map(
      (name) => `${name} is ${formatValue(getField(actual.doc, parseFieldPath(name)), 80)}`,
    );
    add(`condition ${formatValue(condition)}`, 'holds', `does not hold (${seen.join('; ')})`, at);
  }
  if (expected.outputs && !sameNumbers(expected.outputs, actual.outputs)) {
    const names = (indexes: number[]) => (indexes.length === 0 ? '(none)' : indexes.map(label).join(', '));
    add('outputs', names(expected.outputs), names(actual.outputs), expected.outputsAt ?? expected.at);
  }
  return mismatches;
}

/** The field paths a condition reads, in order, each once. */
export function fieldsOf(condition: Condition): string[] {
  const found: string[] = [];
  const visit = (inner: Condition) => {
    for (const [key, value] of Object.entries(inner)) {
      if (key === 'all' || key === 'any') for (const part of value as Condition[]) visit(part);
      else if (key === 'not') visit(value as Condition);
      else if (key === 'exists') found.push(value as string);
      else if (value && typeof value === 'object' && 'field' in value) found.push(String(value.field));
    }
  };
  visit(condition);
  return [...new Set(found)];
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function deadLettersMatch(expected: readonly PreparedDeadLetter[], actual: readonly ActualDeadLetter[]): boolean {
  if (expected.length !== actual.length) return false;
  return expected.every((want, index) => {
    const got = actual[index]!;
    if (want.record !== got.record || want.code !== got.code) return false;
    if (want.sub !== undefined && want.sub !== got.sub) return false;
    return want.reason === undefined || want.reason.test(got.reason);
  });
}

function expectedEntryText(entry: PreparedDeadLetter): string {
  const sub = entry.sub === undefined ? '' : ` sub ${entry.sub}`;
  const reason = entry.reason === undefined ? '' : ` reason matching ${entry.reason}`;
  return `record ${entry.record}${sub} ${entry.code}${reason}`;
}

function actualEntryText(entry: ActualDeadLetter): string {
  const sub = entry.sub === undefined ? '' : ` sub ${entry.sub}`;
  return `record ${entry.record}${sub} ${entry.code}: ${entry.reason}`;
}
