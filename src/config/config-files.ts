import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { isS3ConfigUri, readS3ConfigFiles, type S3ConfigOptions } from './s3-config-files.js';

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

/** A config file's text, the name its problems are positioned with, and where its relative paths resolve. */
export interface ConfigFile {
  file: string;
  displayName: string;
  text: string;
  baseDir: string;
}

/**
 * The config's files, from the local disk or from S3 (`s3://bucket/prefix/`, `s3://bucket/key.yml`).
 * Relative paths in a local file resolve against its folder; S3 has no folder on this machine, so
 * those of an S3 config resolve against the working directory.
 */
export async function readConfigFiles(path: string, s3: S3ConfigOptions = {}): Promise<ConfigFile[]> {
  if (isS3ConfigUri(path)) {
    const baseDir = process.cwd();
    return (await readS3ConfigFiles(path, s3)).map(({ file, text }) => ({ file, displayName: file, text, baseDir }));
  }
  const files: ConfigFile[] = [];
  for (const file of await listConfigFiles(path)) {
    files.push({ file, displayName: displayNameOf(file), text: await readFile(file, 'utf8'), baseDir: dirname(file) });
  }
  return files;
}
