/**
 * A header's field name as a document key: lowercase, `-` and `(` become `_`,
 * `)` is dropped. `cs(User-Agent)` becomes `cs_user_agent`, `log-status` becomes `log_status`.
 */
export function fieldKey(name: string): string {
  return name.toLowerCase().replace(/[-(]/g, '_').replace(/\)/g, '');
}

/**
 * Columns a header line (CloudFront `#Fields:`, a VPC flow log's first line) may name. The
 * formats have 33 and 42 at most; a header naming more would turn every line of its file
 * into that many index fields.
 */
export const MAX_HEADER_FIELDS = 128;
