/** Values ECS writes in another form than AWS does: shared by the ECS tables. */

import type { Doc } from '../core/event.js';
import { setField } from '../core/field-path.js';

/** `HTTP/1.1` → `1.1`, `HTTP/2.0` → `2.0` (ECS http.version); undefined for anything else. */
export function httpVersion(protocol: unknown): string | undefined {
  if (typeof protocol !== 'string' || !protocol.startsWith('HTTP/') || protocol.length === 5) return undefined;
  return protocol.slice(5);
}

const TLS_PROTOCOL = /^(TLS|SSL)v(\d+(?:\.\d+)?)$/i;

/** `TLSv1.2` → version `1.2`, protocol `tls` (ECS tls.version and tls.version_protocol). */
export function tlsVersion(protocol: unknown): { version: string; protocol: string } | undefined {
  if (typeof protocol !== 'string') return undefined;
  const match = TLS_PROTOCOL.exec(protocol);
  return match ? { version: match[2]!, protocol: match[1]!.toLowerCase() } : undefined;
}

/** Sets the field at `path` when the value is a non-empty string. */
export function setIfText(doc: Doc, path: readonly string[], value: string | undefined): void {
  if (value !== undefined && value !== '') setField(doc, path, value);
}
