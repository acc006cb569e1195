import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albKey, albLine } from '../../helpers/alb-data.js';
import { linesWith } from '../../helpers/e2e-logs.js';
import { uploadGzipLines } from '../../helpers/e2e-multipart-gzip.js';
import { writePipelineConfig } from '../../helpers/e2e-pipeline-config.js';
import { runSluiceSampled } from '../../helpers/e2e-rss-sampler.js';
import { repoRoot } from '../../helpers/process.js';
import { testS3Client, uniqueName } from '../../helpers/services.js';

const MB = 1024 * 1024;
/** The memory goal (docs/GUARANTEES.md, "Memory"): resident set under 200 MB while streaming a single 1 GB (uncompressed) object. */
const RSS_LIMIT_BYTES = 200 * MB;
/** Sizes (uncompressed MB) of the two objects; CI on small runners may lower the big one. */
const BIG_MB = Number(process.env.SLUICE_TEST_BIG_OBJECT_MB ?? 1024);
const SMALL_MB = Number(process.env.SLUICE_TEST_SMALL_OBJECT_MB ?? 100);
/** Ten times the data may cost a little more heap (GC timing), never in proportion to size. */
const GROWTH_ALLOWANCE_BYTES = 40 * MB;

interface Measured {
  megabytes: number;
  lines: number;
  compressedBytes: number;
  peakRssBytes: number;
  generateMs: number;
  runMs: number;
}

/**
 * Memory stays flat as object size grows: one ALB object of SMALL_MB and one of BIG_MB
 * (uncompressed), each generated streaming into S3 with a multipart upload, each read by
 * `sluice run --once`, launched as the container launches it (the Node release the image ships,
 * entrypoint.sh with its default heap settings, the image's ENV), to the stdout output (sent to
 * /dev/null; OpenSearch could not index a gigabyte quickly on two cores, and the point is the
 * reader's memory), with the process's resident set sampled every 200 ms from /proc.
 */
describe('large object memory', () => {
  const s3 = testS3Client();

  it(`streams a ${BIG_MB} MB object in under 200 MB RSS, no more than a ${SMALL_MB} MB one needs`, async () => {
    expect(BIG_MB).toBeGreaterThan(SMALL_MB);
    const bucket = uniqueName('bigobject');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const today = new Date();
    const time = new Date(Date.UTC(2024, 4, 1));

    const measure = async (objectIndex: number, megabytes: number): Promise<Measured> => {
      const generateStarted = Date.now();
      const generated = await uploadGzipLines(s3, bucket, albKey('', today, objectIndex), megabytes * MB, (n) =>
        albLine(objectIndex, n, time),
      );
      const generateMs = Date.now() - generateStarted;
      const { path } = writePipelineConfig({
        id: `big-${objectIndex}`,
        bucket,
        checkpoint: '{ type: file, directory: checkpoint }',
        outputs: '      - { type: stdout }',
        // Only this object: the bucket holds both.
        sourceExtra: `      include: ["_${String(objectIndex).padStart(8, '0')}\\\\.log\\\\.gz$"]`,
      });
      const run = await runSluiceSampled(['run', '--once', '--config', path]);
      expect(run.code, run.stderr.slice(-3000)).toBe(0);
      expect(run.samples).toBeGreaterThan(3);
      // Every record went through: the run read the whole object, not a part of it.
      const summary = linesWith(run.stderr, 'sluice stopped')[0];
      expect(summary, run.stderr.slice(-3000)).toMatchObject({ objects: 1, events: generated.lines, failed: 0 });
      node = run.nodeVersion;
      return {
        megabytes,
        lines: generated.lines,
        compressedBytes: generated.compressedBytes,
        peakRssBytes: run.peakRssBytes,
        generateMs,
        runMs: run.durationMs,
      };
    };

    let node = '';
    const small = await measure(1, SMALL_MB);
    const big = await measure(2, BIG_MB);
    const show = (m: Measured) =>
      `${m.megabytes} MB (${m.lines} lines, ${(m.compressedBytes / MB).toFixed(1)} MB gzip): peak RSS ${(m.peakRssBytes / MB).toFixed(1)} MB, ` +
      `generated in ${(m.generateMs / 1000).toFixed(1)} s, read in ${(m.runMs / 1000).toFixed(1)} s`;
    console.log(`large object memory (node ${node}, as the image launches it): ${show(small)}; ${show(big)}`);
    // The bound is the shipped runtime's (scripts/with-node.sh): another node's numbers would say nothing.
    expect(node).toBe(`v${readFileSync(resolve(repoRoot, '.nvmrc'), 'utf8').trim()}`);

    expect(small.peakRssBytes).toBeLessThan(RSS_LIMIT_BYTES);
    expect(big.peakRssBytes).toBeLessThan(RSS_LIMIT_BYTES);
    expect(big.peakRssBytes).toBeLessThan(small.peakRssBytes + GROWTH_ALLOWANCE_BYTES);
  }, 900_000);
});
