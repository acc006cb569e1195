// Prints the failed tests of a vitest JSON report (file, test name, the error's first lines),
// so the end of a CI log says what failed even when only its tail is kept.
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log(`ci: no test report at ${path} (${error.message}): the suite did not get to report`);
  process.exit(0);
}
const failed = [];
for (const file of report.testResults ?? []) {
  const name = file.name.replace(`${process.cwd()}/`, '');
  const tests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
  if (tests.length === 0 && file.status === 'failed')
    failed.push({ name, title: '(the file itself)', message: file.message });
  for (const test of tests)
    failed.push({ name, title: test.fullName, message: (test.failureMessages ?? []).join('\n') });
}
console.log(`ci: ${failed.length} failed test(s) of ${report.numTotalTests ?? '?'}`);
for (const { name, title, message } of failed) {
  console.log(`ci: FAILED ${name} > ${title}`);
  const lines = String(message ?? '')
    .split('\n')
    .filter((line) => !line.includes('node_modules/'))
    .slice(0, 12);
  for (const line of lines) console.log(`ci:   ${line.slice(0, 300)}`);
}
