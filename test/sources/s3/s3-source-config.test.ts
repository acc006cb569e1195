import { describe, expect, it } from 'vitest';
import { s3SourceConfigSchema } from '../../../src/sources/s3/s3-source-config.js';

const base = { type: 's3', bucket: 'example-logs' };

function problems(extra: Record<string, unknown>): string[] {
  const parsed = s3SourceConfigSchema.safeParse({ ...base, ...extra });
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('s3SourceConfigSchema role_arn', () => {
  it.each([
    'arn:aws:iam::210987654321:role/sluice-log-reader',
    'arn:aws:iam::210987654321:role/service-role/logs/reader',
    'arn:aws-cn:iam::210987654321:role/reader',
    'arn:aws-us-gov:iam::210987654321:role/reader+ops=1,a.b@c_d',
  ])('accepts %s when it is an IAM role ARN', (roleArn) => {
    expect(problems({ role_arn: roleArn })).toEqual([]);
  });

  it.each([
    ['a user ARN', 'arn:aws:iam::210987654321:user/reader'],
    ['an 11-digit account', 'arn:aws:iam::21098765432:role/reader'],
    ['no role name', 'arn:aws:iam::210987654321:role/'],
    ['an assumed-role session ARN', 'arn:aws:sts::210987654321:assumed-role/reader/session'],
    ['a role name alone', 'sluice-log-reader'],
    ['a space in the name', 'arn:aws:iam::210987654321:role/log reader'],
  ])('refuses %s with a message showing the expected shape', (_case, roleArn) => {
    expect(problems({ role_arn: roleArn })).toEqual([
      'role_arn: not an IAM role ARN: expected arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::210987654321:role/sluice-log-reader',
    ]);
  });

  it.each([
    ['external_id', 'f3a1-77'],
    ['role_session_name', 'sluice-alb'],
  ])('refuses %s when role_arn is not given', (option, value) => {
    expect(problems({ [option]: value })).toEqual([
      `${option}: \`${option}\` needs \`role_arn\`: it is a parameter of assuming that role`,
    ]);
  });

  it.each([
    ['external_id', 'x', 'external_id: 2 to 1224 of the characters STS allows (letters, digits and _+=,.@:/-)'],
    ['external_id', 'has space', 'external_id: 2 to 1224 of the characters STS allows (letters, digits and _+=,.@:/-)'],
    [
      'role_session_name',
      'a/b',
      'role_session_name: 2 to 64 of the characters STS allows (letters, digits and _+=,.@-)',
    ],
    [
      'role_session_name',
      's'.repeat(65),
      'role_session_name: 2 to 64 of the characters STS allows (letters, digits and _+=,.@-)',
    ],
  ])('refuses %s %j when STS would refuse it', (option, value, message) => {
    expect(problems({ role_arn: 'arn:aws:iam::210987654321:role/reader', [option]: value })).toEqual([message]);
  });

  it('keeps external_id and role_session_name when they come with role_arn', () => {
    const config = s3SourceConfigSchema.parse({
      ...base,
      role_arn: 'arn:aws:iam::210987654321:role/reader',
      external_id: 'sluice:prod/7',
      role_session_name: 'sluice-alb',
    });
    expect(config).toMatchObject({ external_id: 'sluice:prod/7', role_session_name: 'sluice-alb' });
  });
});
