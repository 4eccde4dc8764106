// One board, one runner: a run, flash, debug or DAP session holds an exclusive lock on the
// board's state folder (and on an SD card image given with --sdcard) until it ends, so two
// processes never write one card (two FAT drivers on one card corrupt it).
//
// The lock is a file created with O_EXCL (`link` of a file holding our pid and process
// start time). proper-lockfile was not used: it judges staleness by an mtime a timer
// refreshes, and the emulator keeps the event loop busy for seconds at a time, so a live
// run would look stale. A pid can be checked at any time: a lock whose process is gone
// (or whose pid now belongs to a process started later) is stale and is taken over.
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { UserError } from "./errors.ts";

export interface BoardLock {
  file: string;
  release(): void;
}

interface Owner {
  pid: number;
  start: string;
}

/** The start time of a process (Linux: field 22 of /proc/PID/stat), or "" where unknown. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function alive(owner: Owner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  // A reused pid: the process holding it started after the lock was taken.
  const now = startTime(owner.pid);
  return !(owner.start && now && now !== owner.start);
}

function readOwner(file: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(file, "utf8"));
    return { pid: Number(o.pid), start: String(o.start ?? "") };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { pid: -1, start: "" }; // unreadable or half-written: a crash while locking
  }
}

const held = new Set<BoardLock>();
let exitHook = false;

/**
 * Takes the lock `file` for `what` ("board state DIR", "SD card image X"), or fails with
 * "WHAT is in use by pid N". Released by release() or when the process exits.
 */
export function acquireLock(file: string, what: string): BoardLock {
  const me: Owner = { pid: process.pid, start: startTime(process.pid) };
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, "w");
    writeSync(fd, JSON.stringify(me) + "\n");
    closeSync(fd);
  } catch (e) {
    throw new UserError(
      `cannot lock ${what}: ${(e as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (e as Error).message} (${path.dirname(file)})`,
    );
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file); // atomic: fails if the lock exists
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST")
          throw new UserError(`cannot lock ${what}: ${(e as Error).message}`);
      }
      const owner = readOwner(file);
      if (owner && alive(owner)) throw new UserError(`${what} is in use by pid ${owner.pid}`);
      if (attempt >= 3) throw new UserError(`${what} is in use (lock ${file} keeps changing)`);
      // Stale: move it aside under a name of our own; if what we moved turns out to be a live
      // lock another process took meanwhile, put it back.
      const aside = `${file}.${process.pid}.stale`;
      try {
        renameSync(file, aside);
      } catch {
        continue; // someone else moved it first
      }
      const moved = readOwner(aside);
      if (moved && alive(moved)) {
        renameSync(aside, file);
        throw new UserError(`${what} is in use by pid ${moved.pid}`);
      }
      unlinkSync(aside);
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
  const lock: BoardLock = {
    file,
    release() {
      if (!held.delete(lock)) return;
      const owner = readOwner(file);
      if (owner?.pid === process.pid)
        try {
          unlinkSync(file);
        } catch {
          /* gone */
        }
    },
  };
  held.add(lock);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const l of [...held]) l.release();
    });
  }
  return lock;
}

/** Locks a board state folder for a whole session. */
export function lockStateDir(dir: string): BoardLock {
  return acquireLock(path.join(dir, ".lock"), `board state ${dir}`);
}

/** Locks an SD card image given by path (beside it: CARD.lock). */
export function lockCardImage(card: string): BoardLock {
  return acquireLock(`${path.resolve(card)}.lock`, `SD card image ${card}`);
}
