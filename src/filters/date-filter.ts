/**
 * `date`: reads the event's own time from a field (or CloudFront's separate date and time
 * columns) and writes it as ISO 8601 UTC with milliseconds, by default into `@timestamp`.
 * A value that parses in none of the formats tags the event and keeps it.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import type { Doc } from '../core/event.js';
import { getField, parseFieldPath, setField } from '../core/field-path.js';
import { fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';
import { parseClf, parseEpochMillis, parseEpochSeconds, parseIso8601 } from './parse-timestamp.js';
import { addTag } from './tags.js';

export const dateFormats = ['iso8601', 'epoch_seconds', 'epoch_millis', 'clf', 's3_access'] as const;
export type DateFormat = (typeof dateFormats)[number];

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
      .array(z.enum(dateFormats))
      .min(1)
      .default(['iso8601'])
      .describe(
        'Formats tried in order: iso8601 (any fraction length, Z or offset, none means UTC), epoch_seconds, epoch_millis, clf or s3_access ([06/Feb/2019:00:00:38 +0000])',
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

const parsers: Record<DateFormat, Parse> = {
  iso8601: stringOnly(parseIso8601),
  epoch_seconds: parseEpochSeconds,
  epoch_millis: parseEpochMillis,
  clf: stringOnly(parseClf),
  s3_access: stringOnly(parseClf),
};

export function createDateFilter(config: DateFilterConfig): Filter {
  const target = parseFieldPath(config.target);
  const tag = config.tag_on_failure;
  let read: (doc: Doc) => unknown;
  let parse: Parse;
  if (config.field !== undefined) {
    const source = parseFieldPath(config.field);
    read = (doc) => getField(doc, source);
    const chain = config.formats.map((format) => parsers[format]);
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
    parse = parsers.iso8601;
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
