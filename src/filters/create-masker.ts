/**
 * How a secret is hidden: replaced by a fixed text, or hashed (SHA-256 hex, or HMAC-SHA-256
 * with a key from config so that equal values still correlate without being guessable).
 */
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { boundedJsonText } from '../core/json-text.js';

export const redactionModes = ['replace', 'hash'] as const;

/** Shared by every filter that hides values. */
export const maskerSchemaFields = {
  mode: z
    .enum(redactionModes)
    .default('replace')
    .describe('replace: write the replacement text; hash: write the SHA-256 hex of the value (HMAC with hash_key)'),
  replacement: z.string().default('[REDACTED]').describe('Text that replaces a secret in replace mode'),
  hash_key: z
    .string()
    .min(1)
    .optional()
    .describe('Key for HMAC-SHA-256 in hash mode, e.g. ${SLUICE_REDACT_KEY}; without it a plain SHA-256 is used'),
};

export interface MaskerConfig {
  mode: (typeof redactionModes)[number];
  replacement: string;
  hash_key?: string | undefined;
}

/** Hides one value; null and undefined stay as they are. Never throws. */
export type Masker = (value: unknown) => unknown;

export function createMasker(config: MaskerConfig): Masker {
  if (config.mode === 'replace') {
    const replacement = config.replacement;
    return (value) => (value === null || value === undefined ? value : replacement);
  }
  const key = config.hash_key;
  const hash = key
    ? (text: string) => createHmac('sha256', key).update(text).digest('hex')
    : (text: string) => createHash('sha256').update(text).digest('hex');
  const replacement = config.replacement;
  return (value) => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') return hash(value);
    const text = boundedJsonText(value);
    // Nested past MAX_JSON_TEXT_DEPTH (hostile input): hidden, not hashed.
    return text === undefined ? replacement : hash(text);
  };
}
