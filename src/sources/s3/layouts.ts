import { type PartitionPattern, parsePartitionPattern } from './partition-pattern.js';
import type { S3Layout } from './s3-source-config.js';

/** Constraints that tell AWS path segments apart (an organization id from an account id). */
const CONSTRAINTS = { account: '\\d{12}', org: 'o-[a-z0-9]{4,32}' };

function pattern(source: string, fileStartAfter?: string, filePrefix?: string): PartitionPattern {
  return parsePartitionPattern(source, { constraints: CONSTRAINTS, fileStartAfter, filePrefix });
}

// Key layouts as AWS documents them (docs/ARCHITECTURE.md, delivery guarantee 4); file-name StartAfter only where names sort by time inside a partition.
const ELB_SOURCE = 'AWSLogs/{account}/elasticloadbalancing/{region}/{yyyy}/{MM}/{dd}/';
const ELB = pattern(ELB_SOURCE);
// One day folder holds an ALB's access logs, its connection logs and NLB access logs: each type by its file names.
// Connection logs are `conn_log.<account>_...` (AWS's page also spells it `conn_log_<account>_...`: both match).
const ALB_CONNECTION = pattern(ELB_SOURCE, undefined, 'conn_log');
const NLB = pattern(ELB_SOURCE, undefined, '{account}_elasticloadbalancing_{region}_net.');
const WAF = pattern('AWSLogs/{account}/WAFLogs/{region}/{web_acl}/{yyyy}/{MM}/{dd}/{HH}/{mm}/');
const CLOUDTRAIL_FILE = '{account}_CloudTrail_{region}_{yyyy}{MM}{dd}T{HH}{mm}';
const CLOUDTRAIL = pattern('AWSLogs/{account}/CloudTrail/{region}/{yyyy}/{MM}/{dd}/', CLOUDTRAIL_FILE);
const CLOUDTRAIL_ORG = pattern('AWSLogs/{org}/{account}/CloudTrail/{region}/{yyyy}/{MM}/{dd}/', CLOUDTRAIL_FILE);
const INSIGHT_FILE = '{account}_CloudTrail-Insight_{region}_{yyyy}{MM}{dd}T{HH}{mm}';
const CLOUDTRAIL_INSIGHT = pattern('AWSLogs/{account}/CloudTrail-Insight/{region}/{yyyy}/{MM}/{dd}/', INSIGHT_FILE);
const CLOUDTRAIL_ORG_INSIGHT = pattern(
  'AWSLogs/{org}/{account}/CloudTrail-Insight/{region}/{yyyy}/{MM}/{dd}/',
  INSIGHT_FILE,
);
// Hourly VPC flow partitions sit inside the day folder: listing the day covers both.
const VPC_FLOW = pattern('AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/');
const VPC_FLOW_HIVE = pattern(
  'AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year={yyyy}/month={MM}/day={dd}/',
);
// EventTime partitioning names files `YYYY-MM-DD-00-00-00-...`: no StartAfter inside a day.
export const S3_ACCESS_PARTITIONED = pattern('{account}/{region}/{bucket}/{yyyy}/{MM}/{dd}/');

/** Directory layouts tried for each configured layout (flat CloudFront and S3 access names are planned apart). */
export const DIRECTORY_LAYOUTS: Record<S3Layout, PartitionPattern[]> = {
  auto: [ELB, WAF, CLOUDTRAIL, CLOUDTRAIL_ORG, CLOUDTRAIL_INSIGHT, CLOUDTRAIL_ORG_INSIGHT, VPC_FLOW, VPC_FLOW_HIVE],
  alb: [ELB],
  alb_connection: [ALB_CONNECTION],
  elb: [ELB],
  nlb: [NLB],
  waf: [WAF],
  cloudfront: [],
  cloudtrail: [CLOUDTRAIL, CLOUDTRAIL_ORG, CLOUDTRAIL_INSIGHT, CLOUDTRAIL_ORG_INSIGHT],
  vpc_flow: [VPC_FLOW, VPC_FLOW_HIVE],
  s3_access: [],
  none: [],
};

/** CloudFront standard log: `<distribution-id>.YYYY-MM-DD-HH.<unique>.gz`. */
export const CLOUDFRONT_NAME = /^([A-Z0-9]+)\.\d{4}-\d{2}-\d{2}-\d{2}\.[^/]+$/;
export const CLOUDFRONT_DISTRIBUTION = /^[A-Z0-9]+$/;
/** S3 server access log, simple prefix: `YYYY-mm-DD-HH-MM-SS-<unique>`. */
export const S3_ACCESS_NAME = /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[^/]+$/;

/** Folders that hold no log records (CloudTrail digests): never listed by `auto`. */
export const IGNORED_FOLDERS = new Set(['CloudTrail-Digest']);
