import type { Logger } from 'pino';
import type { Metrics } from '../core/metrics.js';
import type { WorkFeed } from '../core/work-feed.js';
import type { BuiltPipeline } from './build-pipeline.js';
import { ListingFeed } from './listing-feed.js';
import type { RunMode } from './run-mode.js';

export interface WorkFeedOptions {
  logger: Logger;
  metrics: Metrics;
  /** Identifies this worker in leases and claims. */
  owner: string;
  mode: RunMode;
  /** Told when the feed waits for the lease. */
  onWaiting?: () => void;
}

/**
 * The feed a run takes its work from: S3 event notifications when the source has them and the
 * run is live; a listing otherwise (no notifications, or a backfill, which lists its range).
 */
export function createWorkFeed(pipeline: BuiltPipeline, options: WorkFeedOptions): WorkFeed {
  if (options.mode.kind === 'live' && pipeline.notifications) {
    return pipeline.notifications.createFeed({
      logger: options.logger,
      metrics: options.metrics,
      owner: options.owner,
    });
  }
  return new ListingFeed(pipeline, options);
}
