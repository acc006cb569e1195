import { describe, expect, it } from 'vitest';
import { configArgument } from '../../src/cli/config-argument.js';

describe('configArgument', () => {
  it.each([
    ['nothing', undefined, [], undefined],
    ['--config alone', 'a.yml', [], 'a.yml'],
    ['one path alone', undefined, ['pipelines/'], 'pipelines/'],
  ])('gives the config path when the command line has %s', (_case, option, positionals, expected) => {
    expect(configArgument(option, positionals)).toBe(expected);
  });

  it.each([
    ['--config and a path', 'a.yml', ['b.yml'], '(got --config a.yml, b.yml)'],
    ['two paths', undefined, ['a.yml', 'b.yml'], '(got a.yml, b.yml)'],
    ['--config and two paths', 'a.yml', ['b.yml', 'c.yml'], '(got --config a.yml, b.yml, c.yml)'],
  ])('throws naming what was given when the command line has %s', (_case, option, positionals, got) => {
    expect(() => configArgument(option, positionals)).toThrow(`give one config path: --config PATH or PATH ${got}`);
  });
});
