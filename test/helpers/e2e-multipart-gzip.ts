import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** S3's minimum part size is 5 MiB (all parts but the last); a little more keeps the part count low. */
const PART_BYTES = 8 * 1024 * 1024;

export interface GeneratedObject {
  lines: number;
  uncompressedBytes: number;
  compressedBytes: number;
  parts: number;
}

/**
 * Uploads a gzip object of generated lines, `line(n)` for n = 1, 2, ... until at least
 * `uncompressedBytes` are written, with a multipart upload fed while it is generated: the
 * test process never holds more than a part or two, whatever the object's size.
 */
export async function uploadGzipLines(
  client: S3Client,
  bucket: string,
  key: string,
  uncompressedBytes: number,
  line: (n: number) => string,
): Promise<GeneratedObject> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: Array<{ ETag: string; PartNumber: number }> = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let compressedBytes = 0;
  const flushPart = async () => {
    const body = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const PartNumber = parts.length + 1;
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body }),
    );
    parts.push({ ETag: ETag!, PartNumber });
  };
  try {
    const gzip = createGzip({ level: 6 });
    // Parts are uploaded from the reader side, one at a time, so the writer waits on them (backpressure).
    const reading = (async () => {
      for await (const chunk of gzip) {
        const buf = chunk as Buffer;
        compressedBytes += buf.length;
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= PART_BYTES) await flushPart();
      }
      if (pendingBytes > 0 || parts.length === 0) await flushPart();
    })();
    let written = 0;
    let lines = 0;
    while (written < uncompressedBytes) {
      let text = '';
      for (let i = 0; i < 1000 && written + text.length < uncompressedBytes; i++) text += `${line(++lines)}\n`;
      written += Buffer.byteLength(text);
      if (!gzip.write(text)) await once(gzip, 'drain');
    }
    gzip.end();
    await reading;
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    return { lines, uncompressedBytes: written, compressedBytes, parts: parts.length };
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw error;
  }
}
