import { describe, expect, it } from 'vitest';
import { hasReference, interpolate } from '../../src/config/interpolate.js';

describe('interpolate', () => {
  it.each([
    { text: 'plain', env: {}, value: 'plain', missing: [], used: [] },
    { text: '${HOST}', env: { HOST: 'search' }, value: 'search', missing: [], used: ['HOST'] },
    {
      text: 'https://${HOST}:${PORT}',
      env: { HOST: 'h', PORT: '9200' },
      value: 'https://h:9200',
      missing: [],
      used: ['HOST', 'PORT'],
    },
    { text: '${HOST:-localhost}', env: {}, value: 'localhost', missing: [], used: [] },
    { text: '${HOST:-localhost}', env: { HOST: 'set' }, value: 'set', missing: [], used: ['HOST'] },
    { text: '${HOST:-}', env: {}, value: '', missing: [], used: [] },
    { text: '${HOST:-a:b/c}', env: {}, value: 'a:b/c', missing: [], used: [] },
    // As in the shell, `:-` also replaces an empty variable.
    { text: '${HOST:-fallback}', env: { HOST: '' }, value: 'fallback', missing: [], used: [] },
    { text: '${HOST}', env: { HOST: '' }, value: '', missing: [], used: ['HOST'] },
    { text: '${HOST}', env: {}, value: '', missing: ['HOST'], used: [] },
    { text: '${A}-${B}', env: {}, value: '-', missing: ['A', 'B'], used: [] },
    { text: '$${HOST}', env: { HOST: 'x' }, value: '${HOST}', missing: [], used: [] },
    { text: 'a-$${HOST:-d}-${HOST}', env: { HOST: 'x' }, value: 'a-${HOST:-d}-x', missing: [], used: ['HOST'] },
    { text: '$HOST and ${1X} and ${}', env: { HOST: 'x' }, value: '$HOST and ${1X} and ${}', missing: [], used: [] },
    { text: '%{+YYYY.MM.dd}', env: {}, value: '%{+YYYY.MM.dd}', missing: [], used: [] },
  ])('turns $text into "$value" when the environment is $env', ({ text, env, value, missing, used }) => {
    const result = interpolate(text, env);
    expect(result.value).toBe(value);
    expect(result.missing).toEqual(missing);
    expect(result.substitutions.map((s) => s.name)).toEqual(used);
  });

  it('records the values it took from the environment when variables are set', () => {
    expect(interpolate('${USER}:${PASS}', { USER: 'admin', PASS: 's3cret' }).substitutions).toEqual([
      { name: 'USER', value: 'admin' },
      { name: 'PASS', value: 's3cret' },
    ]);
  });
});

describe('hasReference', () => {
  it.each([
    ['${A}', true],
    ['x ${A:-b} y', true],
    ['$${A}', true],
    ['$A', false],
    ['%{[field]}', false],
    ['', false],
  ])('says whether %j holds a reference (%s)', (text, expected) => {
    expect(hasReference(text)).toBe(expected);
    // The shared global regex must not keep state between calls.
    expect(hasReference(text)).toBe(expected);
  });
});
