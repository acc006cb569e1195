import { z } from 'zod';
import { sourceSettingsFields } from '../../core/pipeline-settings.js';
import { globToRegex } from './glob-to-regex.js';

export const fileSourceConfigSchema = z.strictObject({
  type: z.literal('file'),
  path: z.string().min(1).describe('Directory to read, searched recursively (relative to the config file).'),
  include: z
    .array(
      z.string().refine(
        (glob) => {
          try {
            globToRegex(glob);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'not a valid glob' },
      ),
    )
    .default(['**/*'])
    .describe('Globs on the path relative to `path`, e.g. `**/*.log.gz` (`**` spans directories, `*` one name).'),
  exclude: z.array(z.string()).default([]).describe('Globs on the relative path that are never read.'),
  ...sourceSettingsFields,
});

export type FileSourceConfig = z.infer<typeof fileSourceConfigSchema>;
