/**
 * How `sluice test` prints a case: one line when it passes; when it fails, each mismatch with
 * the place of the expectation, expected and actual value, then each differing event's whole
 * document once, so the right expectation can be copied from it.
 */
import type { Position } from '../config/yaml-position.js';
import type { Mismatch } from './compare-case.js';
import type { CaseReport } from './run-test-file.js';
import { formatValue } from './value-diff.js';

export function casePassed(report: CaseReport): boolean {
  return report.error === undefined && report.mismatches.length === 0;
}

const where = (at: Position) => `${at.file}:${at.line}:${at.column}`;

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');

function mismatchLines(mismatch: Mismatch): string[] {
  const head = `${mismatch.subject}: ${mismatch.check}${mismatch.at ? ` (${where(mismatch.at)})` : ''}`;
  if (mismatch.check === 'not expected') return [`    ${head}`];
  const multiline = mismatch.expected.includes('\n') || mismatch.actual.includes('\n');
  if (!multiline) {
    return [`    ${head}`, `      expected: ${mismatch.expected}`, `      actual:   ${mismatch.actual}`];
  }
  return [
    `    ${head}`,
    '      expected:',
    indent(mismatch.expected, '        '),
    '      actual:',
    indent(mismatch.actual, '        '),
  ];
}

/** The lines printed for one case. */
export function formatCaseReport(report: CaseReport): string[] {
  const place = `${where(report.at)}, pipeline ${report.pipeline}`;
  if (casePassed(report)) return [`  ok    ${report.name}`];
  const lines = [`  FAIL  ${report.name} (${place})`];
  if (report.error !== undefined) {
    lines.push(`    the case could not run: ${report.error}`);
    return lines;
  }
  for (const mismatch of report.mismatches) lines.push(...mismatchLines(mismatch));
  const shown = new Set<number>();
  for (const { event } of report.mismatches) {
    if (event === undefined || shown.has(event)) continue;
    shown.add(event);
    const actual = report.outcome?.events[event];
    if (!actual) continue;
    const routes = actual.outputs.length === 0 ? '(none)' : actual.outputs.map(report.label).join(', ');
    lines.push(`    event ${event + 1} as produced (outputs ${routes}):`, `      ${formatValue(actual.doc, 4000)}`);
  }
  return lines;
}
