// FAT32 file system for the tinyboard SD card (tinyboard:hal/sdcard, 512-byte blocks).
//
//   mount()                      find the volume (MBR partition 0x0B/0x0C or superfloppy)
//   mkdir(path)                  create one directory level ("/LOGS"); existing is ok
//   open(path, mode)             MODE_READ, MODE_WRITE (create/truncate), MODE_APPEND (create)
//   write / read / sync / close  by handle (0..MAX_FILES-1)
//   exists, fileSize, remove, freeSpace, setClock, unmount
//
// Paths are "/DIR/NAME.EXT" ("/" or "\" separators). Names are 8.3, upper-cased; other
// valid names get VFAT long-name entries plus a "BASIS~N" alias. Everything is static:
// one directory sector window and one FAT sector (fat32-volume.ts) plus one 512-byte
// buffer per open file (open-files.ts). Full sectors go straight between the caller's
// memory and the card, runs of consecutive clusters in one block transfer.
//
// Write ordering (a power cut never harms files closed before): file data sectors, then
// the FAT sectors that link them (both FAT copies), then the directory entry's size and
// first cluster (on sync/close), then the FSInfo count. A truncated or removed file's
// directory entry is updated before its clusters are freed. A cut leaves at most lost
// clusters and a short (or empty) entry for the file being written.

import { OK, ERR_IO, ERR_NOT_MOUNTED, ERR_NOT_FOUND, ERR_EXISTS, ERR_IS_DIR, ERR_TOO_MANY_OPEN, ERR_BAD_HANDLE,
  ERR_BAD_MODE, ERR_BUSY, ERR_READ_ONLY, ERR_FILE_TOO_BIG, ERR_BAD_FS } from "./errors";
import { readBlocks, writeBlocks } from "../../hal/sdcard";
import {
  mounted, mountVolume, unmountVolume, setDataFlushHook, flushFat, commitFsInfo, allocCluster, freeChain,
  nextCluster, clusterLba, zeroSectors, countFree, secPerClus, clusShift, NO_LBA,
} from "./volume";
import {
  ATTR_DIRECTORY, ATTR_ARCHIVE, ATTR_READ_ONLY, resolve, lookup, createEntry, updateEntry, deleteFoundEntry,
  writeDotEntries, setDosClock, parentCluster, compA, compB, entLba, entOff, entAttr, entCluster, entSize,
} from "./dir";
import {
  MAX_FILES, fMode, fFirst, fSize, fPos, fClus, fClusAt, fEntLba, fEntOff, fBufLba, fBufDirty, fEntDirty, bufOf,
  flushFileData, flushAllData, checkHandle, openSlotFor, seekCluster,
} from "./open-files";

export * from "./errors";
export { MAX_FILES } from "./open-files";

export const MODE_READ: i32 = 1;
/** Create the file, or truncate it to 0 bytes. */
export const MODE_WRITE: i32 = 2;
/** Create the file if needed; writes go to its end. */
export const MODE_APPEND: i32 = 3;

// ---- public API ----

/** Mount the card's FAT32 volume. Drops any open handles (without flushing them). */
export function mount(): i32 {
  for (let h = 0; h < MAX_FILES; h++) unchecked(fMode[h] = 0);
  setDataFlushHook(flushAllData);
  return mountVolume();
}

/** Close every open file, then forget the volume. Returns the first error. */
export function unmount(): i32 {
  let res = OK;
  if (mounted) {
    for (let h = 0; h < MAX_FILES; h++) {
      if (unchecked(fMode[h]) != 0) {
        const r = close(h);
        if (r < 0 && res == OK) res = r;
      }
    }
  }
  unmountVolume();
  return res;
}

/** Timestamp for entries written from now on (default 2024-01-01 00:00:00). 0 or ERR_INVALID_ARG. */
export function setClock(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i32 {
  return setDosClock(year, month, day, hour, minute, second);
}

/** Create directory `path` (its parent must exist). An existing directory is ok. */
export function mkdir(path: string): i32 {
  if (!mounted) return ERR_NOT_MOUNTED;
  let r = resolve(path);
  if (r < 0) return r;
  if (compA == compB) return OK; // the root
  const parent = parentCluster;
  r = lookup(parent, path, compA, compB);
  if (r == OK) return entAttr & ATTR_DIRECTORY ? OK : ERR_EXISTS;
  if (r != ERR_NOT_FOUND) return r;
  // New cluster: contents first ("." and ".."), then the FAT, then the entry in the parent.
  const n = allocCluster(0);
  if (n < 0) return <i32>n;
  const c = <u32>n;
  r = zeroSectors(clusterLba(c), secPerClus);
  if (r < 0) return r;
  r = writeDotEntries(c, parent);
  if (r < 0) return r;
  r = flushFat();
  if (r < 0) return r;
  r = createEntry(parent, path, compA, compB, ATTR_DIRECTORY, c);
  if (r < 0) {
    freeChain(c);
    flushFat();
    return r;
  }
  return commitFsInfo();
}

/** Open a file; returns a handle (>= 0) or a negative error. A file can be open once at a time. */
export function open(path: string, mode: i32): i32 {
  if (!mounted) return ERR_NOT_MOUNTED;
  if (mode != MODE_READ && mode != MODE_WRITE && mode != MODE_APPEND) return ERR_BAD_MODE;
  let h = 0;
  while (h < MAX_FILES && unchecked(fMode[h]) != 0) h++;
  if (h == MAX_FILES) return ERR_TOO_MANY_OPEN;
  let r = resolve(path);
  if (r < 0) return r;
  if (compA == compB) return ERR_IS_DIR;
  r = lookup(parentCluster, path, compA, compB);
  let first: u32 = 0;
  let size: u32 = 0;
  if (r == OK) {
    if (entAttr & ATTR_DIRECTORY) return ERR_IS_DIR;
    if (openSlotFor(entLba, entOff) >= 0) return ERR_BUSY;
    if (mode != MODE_READ && (entAttr & ATTR_READ_ONLY)) return ERR_READ_ONLY;
    first = entCluster;
    size = entSize;
    if (mode == MODE_WRITE && (first != 0 || size != 0)) {
      // Truncate: the entry lets go of the chain before the chain is freed.
      r = updateEntry(entLba, entOff, 0, 0);
      if (r < 0) return r;
      if (first != 0) {
        r = freeChain(first);
        if (r < 0) return r;
      }
      first = 0;
      size = 0;
    }
  } else if (r == ERR_NOT_FOUND) {
    if (mode == MODE_READ) return ERR_NOT_FOUND;
    r = createEntry(parentCluster, path, compA, compB, ATTR_ARCHIVE, 0);
    if (r < 0) return r;
  } else {
    return r;
  }
  unchecked(fMode[h] = mode);
  unchecked(fFirst[h] = first);
  unchecked(fSize[h] = size);
  unchecked(fPos[h] = mode == MODE_APPEND ? size : 0);
  unchecked(fClus[h] = 0);
  unchecked(fClusAt[h] = 0);
  unchecked(fEntLba[h] = entLba);
  unchecked(fEntOff[h] = entOff);
  unchecked(fBufLba[h] = NO_LBA);
  unchecked(fBufDirty[h] = false);
  unchecked(fEntDirty[h] = false);
  return h;
}


/**
 * Write `len` bytes from `src`. Returns the number of bytes written (less than `len` only
 * if an error stopped it part way) or a negative error. Data is on the card after sync/close.
 */
export function write(h: i32, src: usize, len: u32): i32 {
  let r = checkHandle(h);
  if (r < 0) return r;
  if (unchecked(fMode[h]) == MODE_READ) return ERR_BAD_MODE;
  if (len > 0x7fffffff) len = 0x7fffffff;
  if (<u64>unchecked(fPos[h]) + len > 0xffffffff) {
    len = 0xffffffff - unchecked(fPos[h]);
    if (len == 0) return ERR_FILE_TOO_BIG;
  }
  const spc = secPerClus;
  const cb: u32 = spc << 9;
  const buf = bufOf(h);
  let done: u32 = 0;
  while (done < len) {
    r = seekCluster(h, true);
    if (r < 0) break;
    const pos = unchecked(fPos[h]);
    const inClus = pos - unchecked(fClusAt[h]);
    const sec = inClus >> 9;
    const off = pos & 511;
    const lba = clusterLba(unchecked(fClus[h])) + sec;
    const rem = len - done;
    let n: u32;
    if (off == 0 && rem >= 512) {
      // Whole sectors straight from the caller; extend over clusters that follow contiguously.
      let sectors = min(rem >> 9, spc - sec);
      while (((sec + sectors) & (spc - 1)) == 0 && (rem >> 9) - sectors >= spc && sectors < 0x8000) {
        const c = unchecked(fClus[h]);
        let nx = nextCluster(c);
        if (nx == 0) nx = allocCluster(c);
        // On an error (e.g. disk full) write what we have; the next round reports it.
        if (<u32>nx != c + 1 || nx < 0) break; // a linked non-adjacent cluster: the next round starts there
        unchecked(fClus[h] = c + 1);
        unchecked(fClusAt[h] = unchecked(fClusAt[h]) + cb);
        sectors += spc;
      }
      const bl = unchecked(fBufLba[h]);
      if (bl != NO_LBA && bl - lba < sectors) { unchecked(fBufLba[h] = NO_LBA); unchecked(fBufDirty[h] = false); }
      if (writeBlocks(lba, sectors, src + done) < 0) { unchecked(fClus[h] = 0); r = ERR_IO; break; }
      n = sectors << 9;
    } else {
      if (unchecked(fBufLba[h]) != lba) {
        r = flushFileData(h);
        if (r < 0) break;
        unchecked(fBufLba[h] = NO_LBA);
        if (off != 0 || pos < unchecked(fSize[h])) {
          if (readBlocks(lba, 1, buf) < 0) { r = ERR_IO; break; }
        } else {
          memory.fill(buf, 0, 512);
        }
        unchecked(fBufLba[h] = lba);
      }
      n = min(512 - off, rem);
      memory.copy(buf + off, src + done, n);
      unchecked(fBufDirty[h] = true);
      if (off + n == 512) {
        r = flushFileData(h);
        if (r < 0) break;
      }
    }
    done += n;
    const np = pos + n;
    unchecked(fPos[h] = np);
    if (np > unchecked(fSize[h])) {
      unchecked(fSize[h] = np);
      unchecked(fEntDirty[h] = true);
    }
  }
  return done > 0 ? <i32>done : r;
}

/** Read up to `len` bytes into `dst`; returns the count (0 at the end of the file) or an error. */
export function read(h: i32, dst: usize, len: u32): i32 {
  let r = checkHandle(h);
  if (r < 0) return r;
  if (unchecked(fMode[h]) != MODE_READ) return ERR_BAD_MODE;
  const size = unchecked(fSize[h]);
  let pos = unchecked(fPos[h]);
  if (pos >= size) return 0;
  if (len > size - pos) len = size - pos;
  if (len > 0x7fffffff) len = 0x7fffffff;
  const spc = secPerClus;
  const buf = bufOf(h);
  let done: u32 = 0;
  while (done < len) {
    r = seekCluster(h, false);
    if (r != OK) { if (r > 0) r = ERR_BAD_FS; break; } // chain shorter than the size
    pos = unchecked(fPos[h]);
    const sec = (pos - unchecked(fClusAt[h])) >> 9;
    const off = pos & 511;
    const lba = clusterLba(unchecked(fClus[h])) + sec;
    const rem = len - done;
    let n: u32;
    if (off == 0 && rem >= 512) {
      let sectors = min(rem >> 9, spc - sec);
      // Contiguous clusters: one transfer.
      while (((sec + sectors) & (spc - 1)) == 0 && (rem >> 9) - sectors >= spc && sectors < 0x8000) {
        const c = unchecked(fClus[h]);
        const nx = nextCluster(c);
        if (nx < 0 || <u32>nx != c + 1) break; // errors surface in the next round
        unchecked(fClus[h] = c + 1);
        unchecked(fClusAt[h] = unchecked(fClusAt[h]) + (spc << 9));
        sectors += spc;
      }
      if (readBlocks(lba, sectors, dst + done) < 0) { unchecked(fClus[h] = 0); r = ERR_IO; break; }
      n = sectors << 9;
    } else {
      if (unchecked(fBufLba[h]) != lba) {
        unchecked(fBufLba[h] = NO_LBA);
        if (readBlocks(lba, 1, buf) < 0) { r = ERR_IO; break; }
        unchecked(fBufLba[h] = lba);
      }
      n = min(512 - off, rem);
      memory.copy(dst + done, buf + off, n);
    }
    done += n;
    unchecked(fPos[h] = pos + n);
  }
  return done > 0 ? <i32>done : r;
}

/** Put everything written so far on the card: data, FAT (both copies), directory entry, FSInfo. */
export function sync(h: i32): i32 {
  let r = checkHandle(h);
  if (r < 0) return r;
  if (unchecked(fMode[h]) == MODE_READ) return OK;
  r = flushFileData(h);
  if (r < 0) return r;
  r = flushFat();
  if (r < 0) return r;
  if (unchecked(fEntDirty[h])) {
    r = updateEntry(unchecked(fEntLba[h]), unchecked(fEntOff[h]), unchecked(fFirst[h]), unchecked(fSize[h]));
    if (r < 0) return r;
    unchecked(fEntDirty[h] = false);
  }
  return commitFsInfo();
}

/** sync() and free the handle (the handle is freed even if sync fails). */
export function close(h: i32): i32 {
  const r = sync(h);
  if (r == ERR_BAD_HANDLE || r == ERR_NOT_MOUNTED) return r;
  unchecked(fMode[h] = 0);
  return r;
}

/** Does the file or directory exist? */
export function exists(path: string): bool {
  if (!mounted || resolve(path) < 0) return false;
  if (compA == compB) return true;
  return lookup(parentCluster, path, compA, compB) == OK;
}

/** Size of a file in bytes (including unsynced writes of an open file), or a negative error. */
export function fileSize(path: string): i64 {
  if (!mounted) return ERR_NOT_MOUNTED;
  let r = resolve(path);
  if (r < 0) return r;
  if (compA == compB) return ERR_IS_DIR;
  r = lookup(parentCluster, path, compA, compB);
  if (r < 0) return r;
  if (entAttr & ATTR_DIRECTORY) return ERR_IS_DIR;
  const h = openSlotFor(entLba, entOff);
  return <i64>(h >= 0 ? unchecked(fSize[h]) : entSize);
}

/** Delete a file (not a directory; not while it is open). */
export function remove(path: string): i32 {
  if (!mounted) return ERR_NOT_MOUNTED;
  let r = resolve(path);
  if (r < 0) return r;
  if (compA == compB) return ERR_IS_DIR;
  r = lookup(parentCluster, path, compA, compB);
  if (r < 0) return r;
  if (entAttr & ATTR_DIRECTORY) return ERR_IS_DIR;
  if (openSlotFor(entLba, entOff) >= 0) return ERR_BUSY;
  const first = entCluster;
  r = deleteFoundEntry();
  if (r < 0) return r;
  if (first != 0) {
    r = freeChain(first);
    if (r < 0) return r;
  }
  r = flushFat();
  if (r < 0) return r;
  return commitFsInfo();
}

/** Free bytes on the volume (the first call may scan the FAT), or a negative error. */
export function freeSpace(): i64 {
  if (!mounted) return ERR_NOT_MOUNTED;
  const n = countFree();
  if (n < 0) return n;
  return n << (9 + clusShift);
}
