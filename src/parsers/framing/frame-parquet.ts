import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import { type ErrorContext, ParquetReadError, SluiceError } from '../../core/errors.js';
import type { FramedBatch, FramingOptions } from './framed-batch.js';

/** Random access to one object's bytes: a source's readRange bound to the object, or a buffer. */
export interface RangeReader {
  /** The object's size in bytes. */
  readonly size: number;
  /** Bytes [start, end) of the object. */
  read(start: number, end: number): Promise<Buffer>;
}

export function bufferRangeReader(bytes: Buffer): RangeReader {
  return { size: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

/**
 * A row group's compressed bytes held at once, the bound on what reading one costs. Parquet
 * writers cut row groups at about 128 MiB of data; a larger one is refused, not read.
 */
export const MAX_ROW_GROUP_BYTES = 256 * 1024 * 1024;
/** The footer (the file's schema and row group index) is read whole first. */
export const MAX_FOOTER_BYTES = 16 * 1024 * 1024;
/** Top-level columns a file may have: as for header lines (text/field-name.ts), each becomes an index field. */
export const MAX_PARQUET_COLUMNS = 128;

/** hyparquet, loaded when a Parquet object is first read: every other command and parser starts without it (~0.02 CPU-s). */
const hyparquet = () => import('hyparquet');

const MAGIC = 0x31524150; // "PAR1", little-endian
const TAIL_BYTES = 64 * 1024;

// Snappy is built into hyparquet; GZIP (what AWS writes for VPC flow logs) and Brotli come from node:zlib.
const COMPRESSORS: Compressors = {
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
};

/**
 * Splits a Parquet object into batches of rows, one record per row, numbered by its 1-based
 * ordinal in the file (stable: a resume after record N starts at row N + 1).
 *
 * Memory does not grow with the object: the footer is read first, then each row group's bytes
 * with one ranged read, decoded column by column, handed on in batches and dropped before the
 * next group is read. Row groups wholly at or before `startAfterRecord` are never fetched.
 */
export async function* frameParquet(
  reader: RangeReader,
  options: FramingOptions,
  context: ErrorContext = {},
): AsyncGenerator<FramedBatch> {
  const startAfter = options.startAfterRecord ?? 0;
  const batchRecords = options.batchRecords ?? 2000;
  const file = new RowGroupWindow(reader);
  const metadata = await readFooter(reader, context);
  const columns = topLevelColumns(metadata, context);
  const { parquetScan } = await hyparquet();
  const scan = await parquet(
    () => parquetScan({ file, metadata, compressors: COMPRESSORS, useOffsetIndex: false }),
    context,
  );
  let groupStart = 0;
  for (let index = 0; index < metadata.row_groups.length; index++) {
    const group = metadata.row_groups[index]!;
    const groupEnd = groupStart + Number(group.num_rows);
    const from = Math.max(groupStart, startAfter);
    if (from < groupEnd) {
      await file.load(groupSpan(group, index, context));
      const data = await parquet(
        () => Promise.all(columns.map((column) => scan.readColumn({ column, rowStart: from, rowEnd: groupEnd }))),
        { ...context, rowGroup: index },
      );
      file.release();
      for (let first = from; first < groupEnd; first += batchRecords) {
        yield rowBatch(columns, data, from, first, Math.min(first + batchRecords, groupEnd));
      }
    }
    groupStart = groupEnd;
  }
}

/** Rows [first, end) of the file, `data` holding each column from row `from` on. */
function rowBatch(
  columns: readonly string[],
  data: readonly ArrayLike<unknown>[],
  from: number,
  first: number,
  end: number,
): FramedBatch {
  const rows: unknown[][] = [];
  const recordNumbers: number[] = [];
  for (let row = first; row < end; row++) {
    const values = new Array<unknown>(columns.length);
    for (let c = 0; c < columns.length; c++) values[c] = data[c]![row - from];
    rows.push(values);
    recordNumbers.push(row + 1);
  }
  return {
    records: [],
    recordNumbers,
    firstRecord: first + 1,
    lastRecord: end,
    oversized: [],
    invalidUtf8: [],
    rows,
    columns,
  };
}

/** The footer: `<metadata> <length:u32le> PAR1` at the end of the object. */
async function readFooter(reader: RangeReader, context: ErrorContext): Promise<FileMetaData> {
  if (reader.size < 12) throw notParquet(`${reader.size} bytes is too short for a Parquet file`, context);
  const tailStart = Math.max(0, reader.size - TAIL_BYTES);
  let tail = await reader.read(tailStart, reader.size);
  if (tail.readUInt32LE(tail.length - 4) !== MAGIC) {
    const gzip = (await reader.read(0, 2)).readUInt16BE(0) === 0x1f8b;
    throw notParquet(
      `no PAR1 footer${gzip ? ' (the object is gzip: Parquet files are not gzipped whole)' : ''}`,
      context,
    );
  }
  const length = tail.readUInt32LE(tail.length - 8);
  if (length + 8 > reader.size || length > MAX_FOOTER_BYTES) {
    throw notParquet(`footer length ${length} is past the object or over ${MAX_FOOTER_BYTES} bytes`, context);
  }
  if (length + 8 > tail.length) tail = await reader.read(reader.size - length - 8, reader.size);
  const footer = tail.subarray(tail.length - length - 8);
  const { parquetMetadata } = await hyparquet();
  return parquet(async () => parquetMetadata(arrayBufferOf(footer)), context);
}

function topLevelColumns(metadata: FileMetaData, context: ErrorContext): string[] {
  const root = metadata.schema[0];
  const count = root?.num_children ?? 0;
  if (count > MAX_PARQUET_COLUMNS) {
    throw new ParquetReadError(`the file has ${count} columns, at most ${MAX_PARQUET_COLUMNS} are read`, context);
  }
  // Top-level columns are the root's children; nested ones (struct, list) count as one, read assembled.
  const names: string[] = [];
  let i = 1;
  while (names.length < count && i < metadata.schema.length) {
    const element = metadata.schema[i]!;
    names.push(element.name);
    i = skipSubtree(metadata, i);
  }
  return names;
}

/** The index after the schema element at `i` and all its descendants (the schema is a flattened tree). */
function skipSubtree(metadata: FileMetaData, i: number): number {
  let pending = metadata.schema[i]!.num_children ?? 0;
  let next = i + 1;
  while (pending > 0) {
    pending--;
    pending += metadata.schema[next]?.num_children ?? 0;
    next++;
  }
  return next;
}

/** The byte range of a row group's column chunks, checked against the memory bound. */
function groupSpan(group: FileMetaData['row_groups'][number], index: number, context: ErrorContext): [number, number] {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (!meta) throw new ParquetReadError(`row group ${index} has a column without metadata`, context);
    const offset = Number(meta.dictionary_page_offset || meta.data_page_offset);
    start = Math.min(start, offset);
    end = Math.max(end, offset + Number(meta.total_compressed_size));
  }
  if (end <= start) return [0, 0];
  if (end - start > MAX_ROW_GROUP_BYTES) {
    throw new ParquetReadError(
      `row group ${index} holds ${end - start} compressed bytes, more than the ${MAX_ROW_GROUP_BYTES} read at once`,
      { ...context, rowGroup: index },
      undefined,
      'Rewrite the file with smaller row groups (AWS writes far smaller ones); it is quarantined to the dead-letter.',
    );
  }
  return [start, end];
}

/** Runs a hyparquet step; what it throws (a plain Error) becomes ERR_PARQUET, a source's own error passes as it is. */
async function parquet<T>(step: () => Promise<T>, context: ErrorContext): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new ParquetReadError(`cannot read the Parquet file: ${(error as Error).message}`, context, error);
  }
}

function notParquet(reason: string, context: ErrorContext): ParquetReadError {
  return new ParquetReadError(`not a Parquet file: ${reason}`, context);
}

function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

/**
 * The AsyncBuffer hyparquet reads from: slices inside the loaded row group come from memory,
 * anything else (an index outside the group) from the reader.
 */
class RowGroupWindow implements AsyncBuffer {
  readonly byteLength: number;
  private start = 0;
  private bytes: Buffer | undefined;

  constructor(private readonly reader: RangeReader) {
    this.byteLength = reader.size;
  }

  async load([start, end]: [number, number]): Promise<void> {
    this.bytes = undefined;
    this.bytes = await this.reader.read(start, end);
    this.start = start;
  }

  release(): void {
    this.bytes = undefined;
  }

  slice(start: number, end = this.byteLength): ArrayBuffer | Promise<ArrayBuffer> {
    const bytes = this.bytes;
    if (bytes && start >= this.start && end <= this.start + bytes.length) {
      return arrayBufferOf(bytes.subarray(start - this.start, end - this.start));
    }
    return this.reader.read(start, end).then(arrayBufferOf);
  }
}

/** A row as JSON text, for the dead-letter's `raw` (numbers beyond a double as decimal text). */
export function rowText(columns: readonly string[], values: readonly unknown[]): string {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
  return JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
