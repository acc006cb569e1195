/**
 * Which failures of the file output belong to one path, and so to the events routed to it
 * (record level: those events go to the dead-letter, the rest of the batch goes on), and which
 * to the output as a whole (pipeline level: nothing is acknowledged, the pipeline retries).
 * A path is at fault when opening or creating it fails because of what the path is: too long,
 * not permitted, a directory, or through a file. A full disk, too many open files, an I/O error
 * or a read-only file system stop every path alike: waiting can help, dead-lettering cannot.
 */
const PATH_FAULTS: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'the file name or path is too long',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'the path is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path exists and is not a directory',
  ELOOP: 'too many symbolic links in the path',
  EINVAL: 'the path is not valid here',
};

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the failure is the path's own (record level); false for failures of the whole output. */
export function isPathFault(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && Object.hasOwn(PATH_FAULTS, code);
}

/** The reason a dead-letter entry gives for a path fault: what the errno means, and the system's own message. */
export function pathFaultReason(path: string, error: unknown): string {
  const code = errnoCode(error) ?? 'unknown';
  const meaning = Object.hasOwn(PATH_FAULTS, code) ? PATH_FAULTS[code] : 'cannot open';
  const detail = error instanceof Error ? error.message : String(error);
  return `cannot append to ${JSON.stringify(path)}: ${meaning} (${detail})`;
}
