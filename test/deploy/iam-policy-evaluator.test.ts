import { describe, expect, it } from 'vitest';
import {
  type AuthorizationRequest,
  evaluatePolicy,
  type IdentityPolicy,
  type PolicyStatement,
  wildcardMatch,
} from '../helpers/iam-policy-evaluator.js';

const policy = (...Statement: PolicyStatement[]): IdentityPolicy => ({ Version: '2012-10-17', Statement });
const list = (prefix?: string, delimiter?: string): AuthorizationRequest => ({
  action: 's3:ListBucket',
  resource: 'arn:aws:s3:::logs',
  context: {
    ...(prefix === undefined ? {} : { 's3:prefix': prefix }),
    ...(delimiter === undefined ? {} : { 's3:delimiter': delimiter }),
  },
});
const get = (key: string): AuthorizationRequest => ({
  action: 's3:GetObject',
  resource: `arn:aws:s3:::logs/${key}`,
  context: {},
});

describe('wildcardMatch', () => {
  it.each([
    ['arn:aws:s3:::logs/AWSLogs/*', 'arn:aws:s3:::logs/AWSLogs/1/a.gz', true],
    ['arn:aws:s3:::logs/AWSLogs/*', 'arn:aws:s3:::logs/AWSLogs/', true],
    ['arn:aws:s3:::logs/AWSLogs/*', 'arn:aws:s3:::logs/other/a.gz', false],
    ['AWSLogs/?/x', 'AWSLogs/1/x', true],
    ['AWSLogs/?/x', 'AWSLogs/12/x', false],
    // Regular-expression characters in a pattern are literal.
    ['a.b', 'axb', false],
    ['a+(b)', 'a+(b)', true],
  ])('matches %s against %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('ignores case only when asked (actions), never for resources', () => {
    expect(wildcardMatch('s3:getobject', 's3:GetObject', true)).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::Logs', 'arn:aws:s3:::logs')).toBe(false);
  });
});

describe('evaluatePolicy', () => {
  const prefixed = (operator: string, values: string | string[], key = 's3:prefix'): PolicyStatement => ({
    Sid: 'List',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: 'arn:aws:s3:::logs',
    Condition: { [operator]: { [key]: values } },
  });

  it.each([
    ['StringEquals matches exactly', prefixed('StringEquals', 'AWSLogs/'), list('AWSLogs/'), 'allow'],
    ['StringEquals refuses a longer prefix', prefixed('StringEquals', 'AWSLogs/'), list('AWSLogs/1/'), 'implicit_deny'],
    ['StringEquals refuses a missing key', prefixed('StringEquals', 'AWSLogs/'), list(), 'implicit_deny'],
    [
      'StringLike takes any value of the list',
      prefixed('StringLike', ['x/*', 'AWSLogs/*/elb/*']),
      list('AWSLogs/1/elb/us/'),
      'allow',
    ],
    [
      'StringLike * matches nothing at the end',
      prefixed('StringLike', 'AWSLogs/1/elb/*'),
      list('AWSLogs/1/elb/'),
      'allow',
    ],
    [
      'StringLike refuses another folder',
      prefixed('StringLike', 'AWSLogs/1/elb/*'),
      list('AWSLogs/1/WAFLogs/'),
      'implicit_deny',
    ],
    ['StringNotEquals holds for a missing key', prefixed('StringNotEquals', 'x'), list(), 'allow'],
    ['StringNotLike refuses a match', prefixed('StringNotLike', 'AWSLogs/*'), list('AWSLogs/1/'), 'implicit_deny'],
  ])('%s', (_name, statement, request, decision) => {
    expect(evaluatePolicy(policy(statement), request).decision).toBe(decision);
  });

  it('requires every key and every operator of a condition to hold', () => {
    const statement: PolicyStatement = {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::logs',
      Condition: { StringEquals: { 's3:prefix': 'AWSLogs/', 's3:delimiter': '/' } },
    };
    expect(evaluatePolicy(policy(statement), list('AWSLogs/', '/')).decision).toBe('allow');
    expect(evaluatePolicy(policy(statement), list('AWSLogs/')).decision).toBe('implicit_deny');
  });

  it('lets an explicit Deny win over an Allow and names the deciding statement', () => {
    const allow: PolicyStatement = { Sid: 'Read', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::logs/*' };
    const deny: PolicyStatement = {
      Sid: 'NoSecrets',
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::logs/secret/*',
    };
    expect(evaluatePolicy(policy(allow, deny), get('AWSLogs/a.gz'))).toEqual({ decision: 'allow', sid: 'Read' });
    expect(evaluatePolicy(policy(allow, deny), get('secret/a'))).toEqual({
      decision: 'explicit_deny',
      sid: 'NoSecrets',
    });
  });

  it('denies what no statement allows: another action or another resource', () => {
    const read: PolicyStatement = {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::logs/AWSLogs/*'],
    };
    expect(evaluatePolicy(policy(read), get('AWSLogs/a')).decision).toBe('allow');
    expect(evaluatePolicy(policy(read), get('other/a')).decision).toBe('implicit_deny');
    expect(evaluatePolicy(policy(read), { ...get('AWSLogs/a'), action: 's3:PutObject' }).decision).toBe(
      'implicit_deny',
    );
  });

  it.each([
    [
      'an operator it does not implement',
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } },
      },
    ],
    ['NotAction', { Effect: 'Allow', NotAction: 's3:*', Resource: '*' }],
    ['a policy variable', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/${aws:username}/*' }],
  ])('refuses to judge a statement with %s', (_name, statement) => {
    expect(() => evaluatePolicy(policy(statement as unknown as PolicyStatement), get('a'))).toThrow(/not supported/);
  });
});
