import type { CheckpointState } from '../checkpoint/state.js';

/** A duration as people read it: `42 s`, `5 min 3 s`, `3 h 12 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `sluice status` for one pipeline: where its checkpoint is and what it holds, as indented
 * lines. `state` null: no checkpoint yet (the pipeline never started with this store).
 */
export function describeCheckpoint(id: string, where: string, state: CheckpointState | null, nowMs: number): string[] {
  const lines = [`${id}  ${where}`];
  if (!state) return [...lines, '  no checkpoint yet: the pipeline has not started with this store'];
  lines.push(
    state.watermark === null
      ? '  watermark    none yet (no object done)'
      : `  watermark    ${iso(state.watermark)} (lag ${formatDuration(nowMs - state.watermark)})`,
  );
  if (state.start_time !== undefined)
    lines.push(`  start_time   ${iso(state.start_time)} (recorded at the first start)`);
  const done = Object.values(state.done);
  const quarantined = done.filter((entry) => entry.failed !== undefined).length;
  lines.push(
    `  done         ${done.length} object(s) in the lookback window${quarantined ? `, ${quarantined} quarantined to the dead-letter` : ''}`,
  );
  const inFlight = Object.entries(state.in_progress).sort(([a], [b]) => a.localeCompare(b));
  lines.push(`  in progress  ${inFlight.length === 0 ? 'none' : `${inFlight.length} object(s)`}`);
  for (const [key, entry] of inFlight) lines.push(`    ${key}  records 1..${entry.record} acknowledged`);
  const lease = state.lease;
  if (!lease) lines.push('  lease        free (the last holder stopped cleanly)');
  else if (lease.expires_at > nowMs)
    lines.push(
      `  lease        held by ${lease.owner} until ${iso(lease.expires_at)} (${formatDuration(lease.expires_at - nowMs)} left)`,
    );
  else
    lines.push(
      `  lease        expired ${formatDuration(nowMs - lease.expires_at)} ago (last holder ${lease.owner}: it stopped without releasing)`,
    );
  lines.push(`  saved        ${iso(state.updated_at)} (${formatDuration(nowMs - state.updated_at)} ago)`);
  return lines;
}
