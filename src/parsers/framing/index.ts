export { frameRecords } from './frame-records.js';
export type { FramedBatch, FramingOptions, OversizedRecord } from './framed-batch.js';
