import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { S3SourceConfig } from './s3-source-config.js';

/** Credentials for an S3 client, as the SDK's providers give them. */
export type RoleCredentials = ReturnType<typeof fromTemporaryCredentials>;

/** Attempts of one AssumeRole call (the SDK's retry strategy backs off between them). */
const STS_MAX_ATTEMPTS = 4;

/**
 * Assuming `role_arn` failed: the reads of the source cannot start. s3-read-failure.ts turns it
 * into a pipeline-level error naming the role (never the object's fault: nothing is quarantined).
 */
export class AssumeRoleFailure extends Error {
  override readonly name = 'AssumeRoleFailure';

  constructor(
    readonly roleArn: string,
    override readonly cause: unknown,
  ) {
    super(`sts:AssumeRole on ${roleArn} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** `sluice-<pipeline>` in the characters and length STS accepts for a session name. */
export function defaultSessionName(pipeline: string): string {
  return `sluice-${pipeline}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * The credentials of a source with `role_arn`, undefined without: the SDK's own AssumeRole
 * provider, signed with the task's default credential chain. Each client memoizes what it
 * returns and asks again five minutes before the session expires (the SDK's refresh window),
 * so a long run never reads with expired credentials. STS is called in the source's region,
 * at the source's endpoint when one is set (S3-compatible stores serve STS there).
 */
export function assumedRoleCredentials(
  config: Pick<S3SourceConfig, 'role_arn' | 'external_id' | 'role_session_name' | 'region' | 'endpoint'>,
  pipeline: string,
): RoleCredentials | undefined {
  const roleArn = config.role_arn;
  if (roleArn === undefined) return undefined;
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: roleArn,
      RoleSessionName: config.role_session_name ?? defaultSessionName(pipeline),
      ...(config.external_id === undefined ? {} : { ExternalId: config.external_id }),
    },
    clientConfig: {
      ...(config.region ? { region: config.region } : {}),
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      maxAttempts: STS_MAX_ATTEMPTS,
    },
  });
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (error) {
      throw new AssumeRoleFailure(roleArn, error);
    }
  };
}
