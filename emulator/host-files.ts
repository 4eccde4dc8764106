// Files the user names (boards, images, inputs, cards, state folders) are checked before
// they are opened: only regular files where a file is meant and folders where a folder is
// meant, so /dev/zero, a FIFO or /proc never hang a run, and the host's errors (ELOOP, a
// dangling link, EACCES, a file where a folder should be) become one line naming the file.
import { lstatSync, readFileSync, statSync, type Stats } from "node:fs";
import { UserError } from "./errors.ts";

/** The reason an fs call failed, in words, naming the file. */
export function describeFsError(e: unknown, file: string, what = "file"): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT": {
      let dangling = false;
      try {
        dangling = lstatSync(file).isSymbolicLink();
      } catch {
        /* not there at all */
      }
      return dangling
        ? `${what} ${file} is a symbolic link to nothing`
        : `${what} ${file} does not exist`;
    }
    case "ELOOP":
      return `${what} ${file} is a loop of symbolic links`;
    case "EACCES":
    case "EPERM":
      return `${what} ${file}: permission denied`;
    case "ENOTDIR":
      return `${what} ${file}: a part of the path is a file, not a folder`;
    case "EISDIR":
      return `${what} ${file} is a folder, not a file`;
    case "ENAMETOOLONG":
      return `${what} ${file}: the path is too long`;
    case "EROFS":
      return `${what} ${file} is on a read-only file system`;
    case "ENOSPC":
      return `${what} ${file}: no space left on the device`;
    default:
      return `${what} ${file}: ${(e as Error)?.message ?? e}`;
  }
}

function stat(file: string, what: string): Stats {
  try {
    return statSync(file);
  } catch (e) {
    throw new UserError(describeFsError(e, file, what));
  }
}

/** The file's stats if it is a regular file; a UserError naming it otherwise. */
export function regularFile(file: string, what = "file", maxBytes = Infinity): Stats {
  const s = stat(file, what);
  if (s.isDirectory()) throw new UserError(`${what} ${file} is a folder, not a file`);
  if (!s.isFile())
    throw new UserError(
      `${what} ${file} is not a regular file (a device, FIFO or socket cannot be read as one)`,
    );
  if (s.size > maxBytes)
    throw new UserError(
      `${what} ${file} is ${s.size} bytes, more than the ${maxBytes} bytes accepted`,
    );
  return s;
}

/** Reads a regular file whole (refusing special files and files past maxBytes). */
export function readRegularFile(file: string, what = "file", maxBytes = Infinity): Buffer {
  regularFile(file, what, maxBytes);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(describeFsError(e, file, what));
  }
}

/** The folder's stats if it is a folder; a UserError naming it otherwise. */
export function folder(dir: string, what = "folder"): Stats {
  const s = stat(dir, what);
  if (!s.isDirectory()) throw new UserError(`${what} ${dir} is not a folder`);
  return s;
}

/** Host folders that are no place for board state, cards or app files (kernel, device and system files). */
export function isSystemPath(resolved: string): boolean {
  return /^\/(proc|sys|dev|etc)(\/|$)/.test(resolved);
}
