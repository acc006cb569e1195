import { type Reader, VARIABLES, type Variable } from './environment.js';

/** Marks the generated variable table in README.md and deploy/ecs/README.md. */
export const MARKDOWN_START = '<!-- environment table: generated from src/cli/environment.ts -->';
export const MARKDOWN_END = '<!-- end of environment table -->';

const WIDTH = 92;

function unsetText(variable: Variable<unknown>): string {
  return `unset: ${variable.unset ?? 'none'}`;
}

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The "Environment" section of `sluice <command> --help`: the variables that command reads. */
export function environmentHelp(command: Reader): string {
  const lines = ['Environment (an option on the command line wins over its variable; empty counts as unset):'];
  for (const variable of VARIABLES.filter((v) => v.readBy.includes(command) || v.readBy.includes('entrypoint.sh'))) {
    const head =
      variable.default === undefined
        ? `${variable.name} (${unsetText(variable)})`
        : `${variable.name}=${variable.default}`;
    lines.push(`  ${head}  [${variable.type}]`);
    lines.push(...wrap(variable.description, '      '));
  }
  return `${lines.join('\n')}\n`;
}

/** The variable table for the READMEs, between MARKDOWN_START and MARKDOWN_END. */
export function environmentMarkdown(): string {
  const rows = VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${v.type} | ${v.default === undefined ? unsetText(v) : `\`${v.default}\``} | ${v.readBy.join(', ')} | ${v.description} |`,
  );
  return [
    MARKDOWN_START,
    '',
    '| variable | type | default | read by | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    MARKDOWN_END,
  ].join('\n');
}
