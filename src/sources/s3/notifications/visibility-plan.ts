/**
 * When and how far a received message's visibility is extended. Pure: the heartbeat
 * (visibility-heartbeat.ts) applies it.
 *
 * A message is hidden from other consumers for the visibility timeout after it is received.
 * The heartbeat extends it to the full timeout again once half of it has passed, from the
 * moment the message was received (not when its object starts: Data Prepper's #4812, where the
 * messages of one receive waited unextended behind the first), so a slow object never becomes
 * visible to a second task (Vector's #4910). SQS refuses a visibility that ends more than
 * 12 hours after the receive; the last extension stops short of it.
 */

/** SQS's ceiling on a message's visibility, counted from its receive. */
export const MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;

/**
 * The ceiling is counted from the moment the receive request was sent, which is before SQS
 * received it; a further margin covers the extension's own round trip.
 */
export const VISIBILITY_LIMIT_MARGIN_MS = 60_000;

/** What to do about one message now. */
export type VisibilityStep =
  | { action: 'wait' }
  | { action: 'extend'; visibilitySeconds: number }
  /** The 12-hour ceiling is reached: it becomes visible when its last extension ends. */
  | { action: 'stop' };

export interface MessageVisibility {
  /** When the receive that returned the message was sent (ms). */
  receivedAt: number;
  /** When its visibility was last set to the full timeout (the receive, or the last extension). */
  setAt: number;
}

/** Whether to extend now, and to how many seconds from now. */
export function planVisibility(message: MessageVisibility, timeoutSeconds: number, now: number): VisibilityStep {
  const timeoutMs = timeoutSeconds * 1000;
  if (now < message.setAt + timeoutMs / 2) return { action: 'wait' };
  const ceiling = message.receivedAt + MAX_VISIBILITY_MS - VISIBILITY_LIMIT_MARGIN_MS;
  const seconds = Math.min(timeoutSeconds, Math.floor((ceiling - now) / 1000));
  // Extending by less than the wait until the next tick would not keep it hidden anyway.
  if (seconds < 1) return { action: 'stop' };
  return { action: 'extend', visibilitySeconds: seconds };
}

/** How often the heartbeat looks at its messages: a tenth of the timeout, between 0.2 and 1 s. */
export function heartbeatTickMs(timeoutSeconds: number): number {
  return Math.min(1000, Math.max(200, timeoutSeconds * 100));
}
