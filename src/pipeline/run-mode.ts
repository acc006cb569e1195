/** A live run polls until stopped; a backfill reads one past range with a checkpoint of its own. */
export type RunMode = { kind: 'live' } | { kind: 'backfill'; from: Date; to: Date | null };

/**
 * The checkpoint a run of pipeline `id` uses: the pipeline id for live runs, one named after the
 * range for a backfill (`backfill-<id>-<from>-<to>`), so a backfill never moves the live checkpoint.
 */
export function checkpointNameFor(id: string, mode: RunMode): string {
  if (mode.kind === 'live') return id;
  const day = (date: Date) =>
    date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  return `backfill-${id}-${day(mode.from)}-${mode.to ? day(mode.to) : 'open'}`;
}
