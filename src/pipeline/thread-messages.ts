/**
 * What the main thread and a pipeline's worker threads (batch-threads.ts, batch-thread.ts) say
 * to each other: plain data, structured-cloned, the encoded bytes transferred.
 */
import type { PipelineConfig } from '../config/schema.js';
import type { DeadLetterEntry } from '../core/components.js';
import type { EncodedBatch } from '../core/encoded-batch.js';
import type { ErrorCode } from '../core/error-codes.js';
import { type ErrorContext, SluiceError } from '../core/errors.js';
import type { sharedFiles } from '../core/shared-files.js';
import type { FramedBatch } from '../parsers/framing/framed-batch.js';
import type { LoopObject } from './record-loop.js';

/** A thread's `workerData`: it builds the pipeline's record loop and encoders from these. */
export interface ThreadInit {
  config: PipelineConfig;
  baseDir: string;
  logLevel: string;
  /** The files the main thread read into shared memory (core/shared-files.ts): GeoIP databases, one copy for all threads. */
  files: ReturnType<typeof sharedFiles>;
}

/** The record loop of one object, as the main thread would build it. */
export interface LoopSpec {
  object: LoopObject;
  resumeAfter: number;
  maxRecordBytes: number;
}

export type ThreadTask =
  | { kind: 'batch'; seq: number; job: number; loop: LoopSpec; batch: FramedBatch }
  /** The object is over: the thread forgets its record loop. */
  | { kind: 'end'; job: number };

/** One batch after the loop and the encoding; null when it lay wholly at or before the resume point. */
export interface ThreadBatchResult {
  read: number;
  records: number;
  dropped: number;
  /** Events that passed the filters. */
  events: number;
  failures: DeadLetterEntry[];
  /** Per output of the pipeline, in its order: the events its `when` took, encoded. */
  outputs: EncodedBatch[];
}

export type ThreadReply = { seq: number; result: ThreadBatchResult | null } | { seq: number; error: CrossedError };

/** An error as it crosses between threads: a SluiceError by its code, anything else by its message. */
export interface CrossedError {
  code?: ErrorCode;
  name: string;
  message: string;
  context?: ErrorContext;
  hint?: string;
}

export function crossError(error: unknown): CrossedError {
  if (error instanceof SluiceError) {
    const { code, name, message, context, hint } = error;
    return { code, name, message, context, ...(hint === undefined ? {} : { hint }) };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error again on the main thread: a SluiceError with its code (so the failure policy decides as it would in-process). */
export function rebuildError(crossed: CrossedError): Error {
  if (crossed.code !== undefined) {
    return new SluiceError(crossed.code, crossed.message, { context: crossed.context, hint: crossed.hint });
  }
  const error = new Error(`worker thread: ${crossed.message}`);
  error.name = crossed.name;
  return error;
}
