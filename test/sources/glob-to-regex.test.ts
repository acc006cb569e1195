import { describe, expect, it } from 'vitest';
import { globToRegex } from '../../src/sources/file/glob-to-regex.js';

describe('globToRegex', () => {
  it.each([
    ['**/*.log.gz', 'a.log.gz', true],
    ['**/*.log.gz', 'x/y/a.log.gz', true],
    ['**/*.log.gz', 'x/y/a.log', false],
    ['*.log', 'x/a.log', false],
    ['*.log', 'a.log', true],
    ['logs/**', 'logs/a/b/c', true],
    ['logs/**', 'other/a', false],
    ['a?c.txt', 'abc.txt', true],
    ['a?c.txt', 'a/c.txt', false],
    ['*.{log,json}', 'x.json', true],
    ['*.{log,json}', 'x.txt', false],
    ['[ab]*.txt', 'b1.txt', true],
    ['[!ab]*.txt', 'b1.txt', false],
    ['a.b', 'axb', false],
    ['**/2024/**/*.gz', 'alb/2024/01/02/x.gz', true],
  ])('matches %s against %s as %s', (glob, path, expected) => {
    expect(globToRegex(glob).test(path)).toBe(expected);
  });

  it('throws when a brace group is not closed', () => {
    expect(() => globToRegex('*.{log')).toThrow('unbalanced');
  });
});
