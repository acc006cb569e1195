/**
 * IAM on the moto server that enforces it (scripts/services.sh, SLUICE_TEST_IAM_AWS_ENDPOINT):
 * every request there must be signed by an IAM user whose identity policies allow it. The
 * administrator scripts/moto-iam.py created sets up buckets and users; `createIamUser` makes a
 * principal with exactly the policy a test gives, to run sluice with. What moto evaluates
 * (Action and Resource with wildcards, explicit Deny; not Condition blocks, not KMS) is
 * written in scripts/moto-iam.py.
 */
import { readFileSync } from 'node:fs';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
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

function iamClient(): IAMClient {
  return new IAMClient({ endpoint: iamEndpoint(), region: testRegion, credentials: iamAdminCredentials() });
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
  const iam = iamClient();
  const created = await iam.send(new CreateUserCommand({ UserName: userName }));
  const setPolicy = async (document: PolicyDocument) => {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: POLICY_NAME,
        PolicyDocument: JSON.stringify(document),
      }),
    );
  };
  await setPolicy(policy);
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
  return {
    userName,
    arn: created.User!.Arn!,
    credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
    setPolicy,
    async remove() {
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId! }));
      await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: POLICY_NAME }));
      await iam.send(new DeleteUserCommand({ UserName: userName }));
    },
  };
}
