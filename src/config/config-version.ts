import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { listConfigFiles } from './config-files.js';
import { isS3ConfigUri, type S3ConfigOptions, s3ConfigVersion } from './s3-config-files.js';

/**
 * A value that changes whenever the config's files do: for a local file or folder, a hash of each
 * YAML file's name and content (a file added, removed, renamed or edited; an mtime touched
 * without a change is no change); on S3, each object's key and ETag. Throws a ConfigError when
 * the config cannot be read.
 */
export async function configVersion(path: string, s3: S3ConfigOptions = {}): Promise<string> {
  if (isS3ConfigUri(path)) return s3ConfigVersion(path, s3);
  const hash = createHash('sha256');
  for (const file of await listConfigFiles(path)) {
    hash.update(`${file}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}
