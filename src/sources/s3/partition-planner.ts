import type { ListWindow } from '../../core/components.js';
import { datePart, renderKeyTemplate } from './key-template.js';
import type { PartitionPattern, PartitionUnit } from './partition-pattern.js';

/** One ListObjectsV2 walk: everything under `prefix` after `startAfter`, up to `stopAfter`. */
export interface PartitionListing {
  prefix: string;
  startAfter?: string;
  /** Keys sort by time here: listing may stop at the first key beyond this. */
  stopAfter?: string;
}

/** The instants a poll's partitions must cover: one partition of slack each side for clock skew and late delivery. */
export interface PlanRange {
  from: Date;
  to: Date;
}

export function floorTo(date: Date, unit: PartitionUnit): Date {
  const d = new Date(date.getTime());
  if (unit === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  if (unit === 'day') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()));
}

export function addUnits(date: Date, unit: PartitionUnit, count: number): Date {
  if (unit === 'month') return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + count, 1));
  const step = unit === 'day' ? 86_400_000 : 3_600_000;
  return new Date(date.getTime() + count * step);
}

/** from = since − one unit; to = (until or now) + one unit. `since` must be set (null means a full listing). */
export function planRange(window: ListWindow & { since: Date }, unit: PartitionUnit, now: Date): PlanRange {
  const end = window.until ?? now;
  return { from: addUnits(window.since, unit, -1), to: addUnits(end, unit, 1) };
}

/** Caps a plan so a mistaken window (since years ago) cannot plan millions of listings. */
export const MAX_PARTITIONS = 10_000;

/**
 * The date partitions under `base` (a discovered prefix ending at the pattern's first date
 * segment) that can hold objects last modified in the window, oldest first. Inside the
 * first partition, a StartAfter skips what sorts before the window when file names encode time.
 * A pattern's file prefix narrows each listing to its log type's files.
 */
export function planPartitions(
  base: string,
  pattern: PartitionPattern,
  vars: Record<string, string>,
  range: PlanRange,
): PartitionListing[] {
  const dateSegments = pattern.segments.slice(pattern.dateIndex);
  const first = floorTo(range.from, pattern.unit);
  const last = floorTo(range.to, pattern.unit);
  const listings: PartitionListing[] = [];
  for (let t = first; t <= last && listings.length < MAX_PARTITIONS; t = addUnits(t, pattern.unit, 1)) {
    const partition = base + dateSegments.map((s) => `${renderKeyTemplate(s, vars, t)}/`).join('');
    const prefix = pattern.filePrefix ? partition + renderKeyTemplate(pattern.filePrefix, vars, t) : partition;
    const listing: PartitionListing = { prefix };
    if (pattern.startAfter && t.getTime() === first.getTime()) {
      listing.startAfter = partition + renderKeyTemplate(pattern.startAfter, vars, range.from);
    }
    listings.push(listing);
  }
  return listings;
}

function hourStamp(date: Date): string {
  return `${datePart('yyyy', date)}-${datePart('MM', date)}-${datePart('dd', date)}-${datePart('HH', date)}`;
}

/** CloudFront standard logs of one distribution: `<prefix><id>.YYYY-MM-DD-HH.<unique>.gz`, hourly, UTC. */
export function planCloudFront(distributionPrefix: string, range: PlanRange): PartitionListing {
  return {
    prefix: distributionPrefix,
    startAfter: distributionPrefix + hourStamp(range.from),
    stopAfter: `${distributionPrefix + hourStamp(range.to)}\uffff`,
  };
}

/** S3 server access logs with a simple prefix: `<prefix>YYYY-mm-DD-HH-MM-SS-<unique>`, UTC. */
export function planS3AccessFlat(prefix: string, range: PlanRange): PartitionListing {
  const stamp = (d: Date) => `${hourStamp(d)}-${datePart('mm', d)}-${datePart('ss', d)}`;
  return { prefix, startAfter: prefix + stamp(range.from), stopAfter: `${prefix + stamp(range.to)}\uffff` };
}
