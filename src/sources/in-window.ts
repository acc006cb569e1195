import type { ListWindow } from '../core/components.js';
import { keyTime } from './key-time.js';

/** Whether an object falls in a listing window, by LastModified or (backfill) by its key's time. */
export function inWindow(key: string, lastModified: Date, window: ListWindow): boolean {
  if (window.selectBy === 'key_time') {
    const time = keyTime(key) ?? lastModified;
    // A backfill range is half-open: [from, to).
    if (window.since && time < window.since) return false;
    if (window.until && time >= window.until) return false;
    return true;
  }
  if (window.since && lastModified < window.since) return false;
  if (window.until && lastModified > window.until) return false;
  return true;
}
