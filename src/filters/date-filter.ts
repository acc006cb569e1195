/**
 * `date`: reads the event's own time from a field (or CloudFront's separate date and time
 * columns) and writes it as ISO 8601 UTC with milliseconds, by default into `@timestamp`.
 * A value that parses in none of the formats tags the event and keeps it. Formats are named
 * ones, Logstash's names for them, or Joda-style patterns (date-pattern.ts); a time written
 * without an offset is read in `timezone` (UTC by default).
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import { closest } from '../core/did-you-mean.js';
import type { Doc } from '../core/event.js';
import { getField, parseFieldPath, setField } from '../core/field-path.js';
import { addTag } from '../core/tags.js';
import { compileDatePattern, datePatternProblem } from './date-pattern.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';
import { parseClf, parseEpochMillis, parseEpochSeconds, parseIso8601, parseTai64n } from './parse-timestamp.js';
import { isTimeZone, type LocalToUtc, localToUtc } from './time-zone.js';

export const dateFormats = ['iso8601', 'epoch_seconds', 'epoch_millis', 'clf', 's3_access', 'tai64n'] as const;
export type DateFormat = (typeof dateFormats)[number];

/** Logstash's date filter names, accepted as they are written there. */
export const logstashDateFormats: Record<string, DateFormat> = {
  ISO8601: 'iso8601',
  UNIX: 'epoch_seconds',
  UNIX_MS: 'epoch_millis',
  TAI64N: 'tai64n',
};

/** The named format an entry stands for, or undefined when it is a pattern. */
function namedFormat(entry: string): DateFormat | undefined {
  return (dateFormats as readonly string[]).includes(entry) ? (entry as DateFormat) : logstashDateFormats[entry];
}

/** Why a formats entry is neither a name nor a pattern, or undefined when it is fine. */
function formatProblem(entry: string): string | undefined {
  if (namedFormat(entry) !== undefined) return undefined;
  const names = [...dateFormats, ...Object.keys(logstashDateFormats)];
  // A bare word with letters no pattern uses (epoch, unix_millis) was meant as a name.
  if (/^\w+$/.test(entry) && /[^yMdHhmsSaZE]/.test(entry)) {
    const guess = closest(entry, names);
    return `unknown format "${entry}"${guess ? ` (did you mean "${guess}"?)` : ''}; expected one of ${names.join(', ')}, or a pattern such as yyyy-MM-dd HH:mm:ss`;
  }
  const problem = datePatternProblem(entry);
  return problem === undefined ? undefined : `pattern "${entry}": ${problem}`;
}

export const dateFilterSchema = z
  .strictObject({
    type: z.literal('date'),
    field: fieldPathSchema
      .optional()
      .describe('Field holding the time, e.g. time (ALB), timestamp (WAF), eventTime (CloudTrail)'),
    date_field: fieldPathSchema
      .optional()
      .describe('CloudFront: field holding the UTC date (2019-12-04); use with time_field instead of field'),
    time_field: fieldPathSchema
      .optional()
      .describe('CloudFront: field holding the UTC time of day (21:02:31); use with date_field'),
    formats: z
      .array(
        z
          .string()
          .min(1)
          .superRefine((entry, ctx) => {
            const problem = formatProblem(entry);
            if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
          }),
      )
      .min(1)
      .default(['iso8601'])
      .describe(
        'Formats tried in order: iso8601 (any fraction length, Z or offset, none means timezone), epoch_seconds, epoch_millis, clf or s3_access ([06/Feb/2019:00:00:38 +0000]), tai64n; Logstash names ISO8601, UNIX, UNIX_MS, TAI64N; or a Joda pattern such as dd/MMM/yyyy:HH:mm:ss Z, yyyy-MM-dd HH:mm:ss, MMM dd yyyy HH:mm:ss',
      ),
    timezone: z
      .string()
      .min(1)
      .superRefine((name, ctx) => {
        if (isTimeZone(name)) return;
        const guess = closest(name, Intl.supportedValuesOf('timeZone'));
        ctx.addIssue({
          code: 'custom',
          message: `not a time zone this runtime knows${guess ? ` (did you mean "${guess}"?)` : ''}; use an IANA name such as Europe/Berlin or UTC`,
        });
      })
      .optional()
      .describe(
        'IANA time zone (Europe/Berlin) for times written without an offset (iso8601 without Z, patterns without Z); default UTC. Offsets in the value win; epoch formats ignore it',
      ),
    target: fieldPathSchema.default('@timestamp').describe('Field that receives the ISO 8601 UTC time'),
    tag_on_failure: z
      .string()
      .min(1)
      .default('_dateparsefailure')
      .describe('Tag added to the tags array when the value parses in no format; the event is kept'),
    when: whenSchema,
  })
  .superRefine((config, ctx) => {
    const split = config.date_field !== undefined || config.time_field !== undefined;
    if (split && (config.date_field === undefined || config.time_field === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'date_field and time_field go together (CloudFront)' });
    }
    if (split === (config.field !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set either field, or date_field with time_field' });
    }
  })
  .describe('Sets the event time from a field');

export type DateFilterConfig = z.infer<typeof dateFilterSchema>;

type Parse = (value: unknown) => string | undefined;

const stringOnly =
  (parse: (text: string) => string | undefined): Parse =>
  (value) =>
    typeof value === 'string' ? parse(value) : undefined;

function namedParser(format: DateFormat, zone: LocalToUtc | undefined): Parse {
  switch (format) {
    case 'iso8601':
      return stringOnly(zone === undefined ? parseIso8601 : (text) => parseIso8601(text, zone));
    case 'epoch_seconds':
      return parseEpochSeconds;
    case 'epoch_millis':
      return parseEpochMillis;
    case 'clf':
    case 's3_access':
      return stringOnly(parseClf);
    case 'tai64n':
      return stringOnly(parseTai64n);
  }
}

function formatParser(entry: string, zone: LocalToUtc | undefined): Parse {
  const named = namedFormat(entry);
  return named === undefined ? stringOnly(compileDatePattern(entry, zone)) : namedParser(named, zone);
}

export function createDateFilter(config: DateFilterConfig): Filter {
  const target = parseFieldPath(config.target);
  const tag = config.tag_on_failure;
  const zone = config.timezone === undefined ? undefined : localToUtc(config.timezone);
  let read: (doc: Doc) => unknown;
  let parse: Parse;
  if (config.field !== undefined) {
    const source = parseFieldPath(config.field);
    read = (doc) => getField(doc, source);
    const chain = config.formats.map((format) => formatParser(format, zone));
    parse =
      chain.length === 1
        ? chain[0]!
        : (value) => {
            for (const attempt of chain) {
              const result = attempt(value);
              if (result !== undefined) return result;
            }
            return undefined;
          };
  } else {
    const datePath = parseFieldPath(config.date_field!);
    const timePath = parseFieldPath(config.time_field!);
    read = (doc) => {
      const date = getField(doc, datePath);
      const time = getField(doc, timePath);
      if (date === undefined || date === null || time === undefined || time === null) return undefined;
      return typeof date === 'string' && typeof time === 'string' ? `${date}T${time}Z` : { date, time };
    };
    // CloudFront writes UTC, and the columns are joined with a Z: timezone does not apply.
    parse = namedParser('iso8601', undefined);
  }
  const filter: Filter = {
    type: 'date',
    apply(event) {
      const value = read(event.doc);
      // Like Logstash: a missing field is not a failure (the output falls back to the object's time).
      if (value === undefined || value === null) return true;
      const iso = parse(value);
      if (iso === undefined) addTag(event.doc, tag);
      else setField(event.doc, target, iso);
      return true;
    },
  };
  return guardWhen(filter, config.when);
}
