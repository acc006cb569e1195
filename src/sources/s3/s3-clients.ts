import { S3Client } from '@aws-sdk/client-s3';
import { assumedRoleCredentials, type RoleCredentials } from './assumed-role.js';
import type { S3SourceConfig } from './s3-source-config.js';

type ClientSettings = Pick<
  S3SourceConfig,
  'region' | 'endpoint' | 'force_path_style' | 'role_arn' | 'external_id' | 'role_session_name'
>;

/**
 * The S3 clients of one source: one per bucket region it reads in, all with the source's
 * credentials (the task's default chain, or the session of `role_arn`). Listing uses the
 * source's `region`; notification mode reads each object in the region its record names (a
 * queue can carry records of buckets in several regions). The cache is small by nature: one
 * client per AWS region seen, each region's client holding its own STS session.
 */
export class S3Clients {
  private readonly byRegion = new Map<string, S3Client>();
  private readonly credentials: RoleCredentials | undefined;

  /** `client`: a ready one for every region (tests count its requests). */
  constructor(
    private readonly settings: ClientSettings,
    pipeline: string,
    private readonly client?: S3Client,
  ) {
    this.credentials = client ? undefined : assumedRoleCredentials(settings, pipeline);
  }

  /** The client of the source's own region: listing, and reads of objects without a region. */
  get source(): S3Client {
    return this.forRegion(undefined);
  }

  /** The client for a bucket in `region` (undefined: the source's `region`, else the SDK's default chain). */
  forRegion(region: string | undefined): S3Client {
    if (this.client) return this.client;
    const wanted = region ?? this.settings.region;
    const key = wanted ?? '';
    let client = this.byRegion.get(key);
    if (!client) {
      client = new S3Client({
        ...(wanted ? { region: wanted } : {}),
        ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
        forcePathStyle: this.settings.force_path_style,
        ...(this.credentials ? { credentials: this.credentials } : {}),
      });
      this.byRegion.set(key, client);
    }
    return client;
  }
}
