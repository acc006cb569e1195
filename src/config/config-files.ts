import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';

const YAML_EXTENSIONS = new Set(['.yml', '.yaml']);

/** Paths under the working directory are shown relative to it, others absolute. */
export function displayNameOf(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

/** The YAML file itself, or every .yml and .yaml file of a folder, sorted by name. */
export async function listConfigFiles(path: string): Promise<string[]> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  if (!info) {
    throw new ConfigError([
      {
        file: path,
        line: 0,
        column: 0,
        path: '',
        message: 'no such file or folder; give a YAML file or a folder of them',
      },
    ]);
  }
  if (!info.isDirectory()) return [absolute];
  const names = (await readdir(absolute)).filter((name) => YAML_EXTENSIONS.has(extname(name))).sort();
  if (names.length === 0) {
    throw new ConfigError([
      { file: path, line: 0, column: 0, path: '', message: 'the folder holds no .yml or .yaml file' },
    ]);
  }
  return names.map((name) => join(absolute, name));
}
