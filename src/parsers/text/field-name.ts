/**
 * A header's field name as a document key (DESIGN.md §5): lowercase, `-` and `(` become `_`,
 * `)` is dropped. `cs(User-Agent)` becomes `cs_user_agent`, `log-status` becomes `log_status`.
 */
export function fieldKey(name: string): string {
  return name.toLowerCase().replace(/[-(]/g, '_').replace(/\)/g, '');
}
