/**
 * The time an AWS log object covers, read from its key: the file-name timestamp AWS writes
 * (ALB/ELB/CloudTrail/WAF `_20240501T0005Z_`, CloudFront `.2024-05-01-00.`, S3 access logs
 * `2024-05-01-00-05-59-`), else the date partition (`/2024/05/01/` with an optional `/HH/`).
 * A backfill selects objects by this time, not by LastModified: logs copied into a bucket
 * later keep their own dates. Null when the key carries no date.
 */
const COMPACT = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z[_.]/;
const CLOUDFRONT = /\.(\d{4})-(\d{2})-(\d{2})-(\d{2})\.[^/]*$/;
const S3_ACCESS = /(?:^|\/)(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9A-Za-z]+$/;
const PARTITION = /\/(\d{4})\/(\d{2})\/(\d{2})\/(?:(\d{2})\/)?/;

export function keyTime(key: string): Date | null {
  let m = COMPACT.exec(key);
  if (m) return utc(m[1], m[2], m[3], m[4], m[5]);
  m = CLOUDFRONT.exec(key);
  if (m) return utc(m[1], m[2], m[3], m[4]);
  m = S3_ACCESS.exec(key);
  if (m) return utc(m[1], m[2], m[3], m[4], m[5], m[6]);
  m = PARTITION.exec(key);
  if (m) return utc(m[1], m[2], m[3], m[4]);
  return null;
}

function utc(y?: string, mo?: string, d?: string, h?: string, mi?: string, s?: string): Date | null {
  const date = new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)),
  );
  return Number.isNaN(date.getTime()) || date.getUTCMonth() !== Number(mo) - 1 ? null : date;
}
