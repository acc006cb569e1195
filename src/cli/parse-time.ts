/**
 * A UTC date or timestamp from the command line or SLUICE_BACKFILL_FROM/TO: `2024-01-01`,
 * `2024-01-01T06`, `2024-01-01T06:30`, `2024-01-01T06:30:00Z`. Without an offset, UTC.
 */
export function parseUtcTime(text: string, name: string): Date {
  const trimmed = text.trim();
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (!match) throw new Error(`${name}: "${text}" is not a date (use 2024-01-31 or 2024-01-31T06:00:00Z)`);
  const date = new Date(
    match[7] && match[7] !== 'Z'
      ? trimmed.replace(' ', 'T')
      : Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +(match[4] ?? 0), +(match[5] ?? 0), +(match[6] ?? 0)),
  );
  if (Number.isNaN(date.getTime()) || (date.getUTCMonth() + 1 !== +match[2]! && !match[7])) {
    throw new Error(`${name}: "${text}" is not a valid date`);
  }
  return date;
}
