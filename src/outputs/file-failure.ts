import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage, OutputError } from '../core/errors.js';

/**
 * The one rule for a path the file output cannot open: whose fault it is.
 *
 * - **record** (ERR_OUTPUT_FILE: those events go to the dead-letter, the rest of the batch goes
 *   on): the part of the path that the record's own values make is at fault (a field too long
 *   for a file name, a value naming a folder or running into a file below the output folder),
 *   while the output folder itself (the pattern's fixed directory) is a folder the worker may
 *   write to. Only a pattern that inserts values can fail this way.
 * - **pipeline** (ERR_OUTPUT_FILE_WRITE: nothing of the batch is written or acknowledged, the
 *   pipeline pauses with backoff and retries): everything else. A permission (EACCES, EPERM), a
 *   read-only file system (EROFS), a full disk or quota (ENOSPC, EDQUOT), an output folder that
 *   is a file or lies under one, a fixed path that is a folder: they hit every event alike,
 *   only the operator can mend them, and dead-lettering would mark the data done.
 */
const RECORD_FAULTS: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'the file name or path is too long',
  EISDIR: 'the path is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path exists and is not a directory',
  ELOOP: 'too many symbolic links in the path',
  EINVAL: 'the path is not valid here',
};

const FOLDER_FAULTS: Readonly<Record<string, { meaning: string; fix: string }>> = {
  EACCES: { meaning: 'permission denied', fix: 'give the worker user write permission on' },
  EPERM: { meaning: 'operation not permitted', fix: 'give the worker user write permission on' },
  EROFS: { meaning: 'the file system is read-only', fix: 'mount a writable file system at' },
  ENOSPC: { meaning: 'no space left on the device', fix: 'free space on the disk of' },
  EDQUOT: { meaning: 'the disk quota is exhausted', fix: 'raise the quota or free space on' },
  ENOTDIR: { meaning: 'a part of the path is a file, not a directory', fix: 'make a directory (not a file) of' },
  EEXIST: { meaning: 'a part of the path exists and is not a directory', fix: 'make a directory (not a file) of' },
};

/** Where a file output writes: its fixed directory, and whether the pattern inserts event values at all. */
export interface OutputFolder {
  directory: string;
  insertsValues: boolean;
}

export type OpenFault = { level: 'record'; reason: string } | { level: 'pipeline'; error: OutputError };

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The reason a dead-letter entry gives for a record-level path fault: what the errno means, and the system's message. */
export function pathFaultReason(path: string, error: unknown): string {
  const code = errnoCode(error) ?? 'unknown';
  const meaning = Object.hasOwn(RECORD_FAULTS, code) ? RECORD_FAULTS[code] : 'cannot open';
  return `cannot append to ${JSON.stringify(path)}: ${meaning} (${errorMessage(error)})`;
}

/**
 * Why the output folder cannot be written, or undefined when it is a folder the worker may write
 * to (made when missing, as the first write would).
 */
export async function folderFault(directory: string): Promise<unknown> {
  try {
    await mkdir(directory, { recursive: true });
    if (!(await stat(directory)).isDirectory()) {
      return Object.assign(new Error(`ENOTDIR: not a directory, '${directory}'`), { code: 'ENOTDIR' });
    }
    await access(directory, constants.W_OK);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The pipeline-level error for a folder (or fixed path) the output cannot write, naming the path and the fix. */
export function folderError(pipeline: string, path: string, directory: string, error: unknown): OutputError {
  const code = errnoCode(error) ?? 'unknown';
  const known = Object.hasOwn(FOLDER_FAULTS, code) ? FOLDER_FAULTS[code] : undefined;
  const meaning = known?.meaning ?? RECORD_FAULTS[code] ?? 'cannot open';
  const fix = known ? `${known.fix} ${directory}` : `check ${directory} and its parents`;
  return new OutputError(
    'ERR_OUTPUT_FILE_WRITE',
    `the file output cannot write ${JSON.stringify(path)} in its folder ${directory}: ${meaning} (${errorMessage(error)})`,
    { pipeline, output: 'file' },
    `${fix[0]!.toUpperCase()}${fix.slice(1)}; nothing is marked done, the pipeline retries with backoff.`,
    error,
  );
}

/** Decides the level of a failure to open or create `path` (see the rule above). */
export async function classifyOpenFault(
  pipeline: string,
  path: string,
  folder: OutputFolder,
  error: unknown,
): Promise<OpenFault> {
  const code = errnoCode(error);
  if (folder.insertsValues && code !== undefined && Object.hasOwn(RECORD_FAULTS, code)) {
    const unusable = await folderFault(folder.directory);
    if (unusable === undefined) return { level: 'record', reason: pathFaultReason(path, error) };
    return { level: 'pipeline', error: folderError(pipeline, path, folder.directory, unusable) };
  }
  return { level: 'pipeline', error: folderError(pipeline, path, folder.directory, error) };
}

/**
 * For `sluice validate` and the start of `run`: why the output folder could not be written, or
 * undefined when it is a writable folder or can be made (its nearest existing parent is a
 * writable folder). Nothing is created: a missing folder is made by the first write.
 */
export async function folderProblem(directory: string): Promise<string | undefined> {
  let current = directory;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(current)).isDirectory();
    } catch (error) {
      const code = errnoCode(error);
      const parent = dirname(current);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== current) {
        current = parent;
        continue;
      }
      return `the output folder ${directory} cannot be checked: ${errorMessage(error)}`;
    }
    const where =
      current === directory
        ? `the output folder ${directory}`
        : `${current}, the nearest existing parent of the output folder ${directory},`;
    if (!isDirectory) return `${where} is a file, not a folder`;
    try {
      await access(current, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = errnoCode(error) ?? 'unknown';
      return `${where} cannot be written by the worker: ${FOLDER_FAULTS[code]?.meaning ?? 'not writable'} (${code})`;
    }
  }
}
