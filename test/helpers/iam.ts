/**
 * IAM on the moto server that enforces it (scripts/services.sh, SLUICE_TEST_IAM_AWS_ENDPOINT):
 * every request there must be signed by an IAM user whose identity policies allow it. The
 * administrator scripts/moto-iam.py created sets up buckets and users; `createIamUser` makes a
 * principal with exactly the policy a test gives, to run sluice with. What moto evaluates
 * (Action and Resource with wildcards, explicit Deny; not Condition blocks, not KMS) is
 * written in scripts/moto-iam.py.
 */
import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './proxies.js';
import { serviceEnv, testRegion, uniqueName } from './services.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An IAM policy document: what a statement allows or denies, on which resources. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Effect: 'Allow' | 'Deny';
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
}

export interface IamUser {
  userName: string;
  arn: string;
  credentials: AwsCredentials;
  /** Replaces the user's one inline policy (moto applies it to the next request). */
  setPolicy(policy: PolicyDocument): Promise<void>;
  /** Removes the user, its key and its policy. */
  remove(): Promise<void>;
}

const POLICY_NAME = 'test-policy';

export function iamEndpoint(): string {
  return serviceEnv('SLUICE_TEST_IAM_AWS_ENDPOINT');
}

/** The administrator's key (allowed everything), from the file services.sh wrote. */
export function iamAdminCredentials(): AwsCredentials {
  const file = JSON.parse(readFileSync(serviceEnv('SLUICE_TEST_IAM_ADMIN_CREDENTIALS'), 'utf8')) as {
    AccessKeyId: string;
    SecretAccessKey: string;
  };
  return { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
}

/**
 * One call of the IAM Query API (`Action=...&Version=2010-05-08`), signed by the administrator;
 * returns the XML answer. The IAM calls tests need are few and simple, so they go through
 * here instead of adding an SDK client to the dependencies.
 */
export async function iamCall(action: string, params: Record<string, string>): Promise<string> {
  const url = new URL(iamEndpoint());
  const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString();
  const signer = new SignatureV4({
    service: 'iam',
    region: testRegion,
    credentials: iamAdminCredentials(),
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${action} failed (HTTP ${response.status}): ${text}`);
  return text;
}

/** The text of the first `<name>` element of an IAM answer. */
function xmlValue(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no <${name}> in the IAM answer: ${xml}`);
  return value;
}

/** S3 on the IAM server, signed by the administrator: for creating buckets and objects. */
export function iamAdminS3Client(): S3Client {
  return new S3Client({
    endpoint: iamEndpoint(),
    forcePathStyle: true,
    region: testRegion,
    credentials: iamAdminCredentials(),
  });
}

/** A new IAM user with `policy` as its only (inline) policy, and an access key for it. */
export async function createIamUser(policy: PolicyDocument, userName = uniqueName('sluice-user')): Promise<IamUser> {
  const created = await iamCall('CreateUser', { UserName: userName });
  const setPolicy = async (document: PolicyDocument) => {
    await iamCall('PutUserPolicy', {
      UserName: userName,
      PolicyName: POLICY_NAME,
      PolicyDocument: JSON.stringify(document),
    });
  };
  await setPolicy(policy);
  const key = await iamCall('CreateAccessKey', { UserName: userName });
  const accessKeyId = xmlValue(key, 'AccessKeyId');
  return {
    userName,
    arn: xmlValue(created, 'Arn'),
    credentials: { accessKeyId, secretAccessKey: xmlValue(key, 'SecretAccessKey') },
    setPolicy,
    async remove() {
      await iamCall('DeleteAccessKey', { UserName: userName, AccessKeyId: accessKeyId });
      await iamCall('DeleteUserPolicy', { UserName: userName, PolicyName: POLICY_NAME });
      await iamCall('DeleteUser', { UserName: userName });
    },
  };
}
