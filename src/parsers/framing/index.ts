export { type FramedBatch, type FramingOptions, frameRecords, type OversizedRecord } from './frame-records.js';
