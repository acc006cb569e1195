import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { type AwsCredentials, createIamUser, iamAdminS3Client, iamEndpoint } from '../../helpers/iam.js';
import { testRegion, uniqueName } from '../../helpers/services.js';

function s3As(credentials: AwsCredentials): S3Client {
  return new S3Client({ endpoint: iamEndpoint(), forcePathStyle: true, region: testRegion, credentials });
}

describe('the IAM-enforcing moto server and createIamUser', () => {
  it('allows exactly what the user policy allows, follows a policy change at once, and forgets a removed user', async () => {
    const admin = iamAdminS3Client();
    const bucket = uniqueName('iam-smoke');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.log', Body: 'line\n' }));
    const listOnly = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow' as const, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }],
    };
    const user = await createIamUser(listOnly);
    expect(user.arn).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:user/${user.userName}$`));
    const s3 = s3As(user.credentials);

    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(1);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a.log' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });

    await user.setPolicy({
      ...listOnly,
      Statement: [
        ...listOnly.Statement,
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    });
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a.log' }));
    expect(await got.Body!.transformToString()).toBe('line\n');

    await user.remove();
    await expect(s3.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    // Unsigned by a known key: refused, so enforcement is on for everyone.
    await expect(
      s3As({ accessKeyId: 'testing', secretAccessKey: 'testing' }).send(new ListObjectsV2Command({ Bucket: bucket })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });
});
