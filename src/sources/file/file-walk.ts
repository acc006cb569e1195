import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/**
 * What the walk found at one path under the folder:
 * - `file`: a regular file, read as a log;
 * - `skip`: not read and nothing lost (a symbolic link to a file inside the folder, which is
 *   read under its own name): counted and logged;
 * - `refuse`: not read, and its data would be lost silently (a link that leads outside the
 *   folder or nowhere, a name that is not UTF-8, a FIFO or device): reported with a
 *   quarantine entry so someone can act.
 * `folderLink` marks a link to a folder: the files behind it would match include patterns its
 * own name does not, so the source judges it by what lies under it (file-source.ts, accept).
 */
export type WalkEntry =
  | { kind: 'file'; key: string; path: string; info: Stats }
  | {
      kind: 'skip' | 'refuse';
      key: string;
      path: string;
      info: Stats;
      reason: SkipReason;
      message: string;
      folderLink?: boolean;
    };

/** Why a listed path is not read: the `reason` label of sluice_objects_skipped_total. */
export type SkipReason = 'symlink' | 'symlink_outside' | 'invalid_file_name' | 'not_a_file';

/** A directory the walk could not read, with the error Node gave. */
export class WalkError extends Error {
  constructor(
    readonly path: string,
    readonly error: NodeJS.ErrnoException,
  ) {
    super(`cannot list ${path}: ${error.message}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The name as text, or undefined when its bytes are not UTF-8. */
function utf8Name(name: Buffer): string | undefined {
  try {
    return strictUtf8.decode(name);
  } catch {
    return undefined;
  }
}

/** A name that is not UTF-8, written so it can be shown: each byte that does not decode as %XX. */
export function escapedName(name: Buffer): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    // A UTF-8 character is 1 to 4 bytes: take the shortest run from here that decodes.
    let n = 1;
    while (n <= 4 && i + n <= name.length && utf8Name(name.subarray(i, i + n)) === undefined) n++;
    if (n <= 4 && i + n <= name.length) {
      out += name.subarray(i, i + n).toString('utf8');
      i += n;
    } else {
      out += `%${name[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/** True when `path` (already resolved) is the folder or inside it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/**
 * Every path under `root` (the folder's real path), in name order, depth first. Symbolic links
 * are never followed, so the walk stays inside the folder (docs/ARCHITECTURE.md, file source).
 */
export async function* walkFolder(root: string, relative = ''): AsyncGenerator<WalkEntry> {
  const dir = relative === '' ? root : join(root, ...relative.split('/'));
  let entries: Dirent<Buffer>[];
  try {
    // Names as bytes: a name that is not UTF-8 would otherwise come back mangled and unreadable.
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw new WalkError(dir, error as NodeJS.ErrnoException);
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const rawName = entry.name;
    const text = utf8Name(rawName);
    const shown = text ?? escapedName(rawName);
    const key = relative === '' ? shown : `${relative}/${shown}`;
    const path = Buffer.concat([Buffer.from(`${dir}${sep}`), rawName]);
    // Gone since readdir: nothing to report.
    const info = await lstat(path).catch(() => null);
    if (!info) continue;
    const textPath = join(dir, shown);
    if (text === undefined) {
      yield {
        kind: 'refuse',
        key,
        path: textPath,
        info,
        reason: 'invalid_file_name',
        message: `${join(dir, shown)}: the name is not valid UTF-8 (shown with %XX for the bytes that are not), so it cannot be a key; rename it to read it`,
      };
    } else if (info.isDirectory()) {
      yield* walkFolder(root, key);
    } else if (info.isSymbolicLink()) {
      yield await linkEntry(root, key, textPath, info);
    } else if (info.isFile()) {
      yield { kind: 'file', key, path: textPath, info };
    } else {
      yield {
        kind: 'refuse',
        key,
        path: textPath,
        info,
        reason: 'not_a_file',
        message: `${textPath} is not a regular file (a FIFO, socket or device); only regular files are read`,
      };
    }
  }
}

/** A symbolic link: skipped when it leads to a file inside the folder (read under its own name), refused otherwise. */
async function linkEntry(root: string, key: string, path: string, info: Stats): Promise<WalkEntry> {
  const target = await readlink(path).catch(() => '?');
  const real = await realpath(path).catch(() => undefined);
  const targetInfo = real ? await lstat(real).catch(() => undefined) : undefined;
  const folderLink = targetInfo?.isDirectory() === true;
  if (real && isInside(root, real) && (targetInfo?.isFile() || folderLink)) {
    return {
      kind: 'skip',
      key,
      path,
      info,
      reason: 'symlink',
      message: `${path} is a symbolic link to ${real}, which is read under its own name; links are not followed`,
      folderLink,
    };
  }
  const where = real
    ? isInside(root, real)
      ? `${real} (not a regular file)`
      : `${real}, outside ${root}`
    : `${resolve(path, '..', target)}, which does not exist`;
  return {
    kind: 'refuse',
    key,
    path,
    info,
    reason: 'symlink_outside',
    message: `${path} is a symbolic link to ${where}; the file source reads only regular files inside its folder and does not follow links: copy the file in, or point path at the folder that holds it`,
    folderLink,
  };
}
