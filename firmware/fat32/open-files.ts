// The open-file table of the FAT32 file system (file-system.ts): a fixed slot per handle with
// its mode, size, position, cluster cursor, directory entry and one 512-byte sector buffer.
import { OK, ERR_IO, ERR_NOT_MOUNTED, ERR_BAD_HANDLE } from "./errors";
import { writeBlocks } from "../../hal/sdcard";
import { mounted, allocCluster, nextCluster, secPerClus } from "./volume";

/** Files that can be open at the same time. */
export const MAX_FILES: i32 = 4;

// ---- open file table (fixed) ----
export const fMode = new StaticArray<i32>(MAX_FILES); // 0 = slot free
export const fFirst = new StaticArray<u32>(MAX_FILES); // first cluster (0 = none yet)
export const fSize = new StaticArray<u32>(MAX_FILES);
export const fPos = new StaticArray<u32>(MAX_FILES);
export const fClus = new StaticArray<u32>(MAX_FILES); // cluster holding bytes [fClusAt, fClusAt + cluster size), 0 = unknown
export const fClusAt = new StaticArray<u32>(MAX_FILES);
export const fEntLba = new StaticArray<u32>(MAX_FILES); // the file's directory entry
export const fEntOff = new StaticArray<u32>(MAX_FILES);
export const fBufLba = new StaticArray<u32>(MAX_FILES); // sector held in the file's buffer
export const fBufDirty = new StaticArray<bool>(MAX_FILES);
export const fEntDirty = new StaticArray<bool>(MAX_FILES); // size / first cluster changed since the last sync
const fBufs: usize = memory.data(512 * MAX_FILES, 16);

@inline export function bufOf(h: i32): usize { return fBufs + (<usize>h << 9); }

export function flushFileData(h: i32): i32 {
  if (!unchecked(fBufDirty[h])) return OK;
  if (writeBlocks(unchecked(fBufLba[h]), 1, bufOf(h)) < 0) return ERR_IO;
  unchecked(fBufDirty[h] = false);
  return OK;
}

/** Volume hook: all buffered file data reaches the card before any FAT sector does. */
export function flushAllData(): i32 {
  for (let h = 0; h < MAX_FILES; h++) {
    if (unchecked(fMode[h]) != 0) {
      const r = flushFileData(h);
      if (r < 0) return r;
    }
  }
  return OK;
}

export function checkHandle(h: i32): i32 {
  if (!mounted) return ERR_NOT_MOUNTED;
  if (h < 0 || h >= MAX_FILES || unchecked(fMode[h]) == 0) return ERR_BAD_HANDLE;
  return OK;
}

export function openSlotFor(lba: u32, off: u32): i32 {
  for (let h = 0; h < MAX_FILES; h++) {
    if (unchecked(fMode[h]) != 0 && unchecked(fEntLba[h]) == lba && unchecked(fEntOff[h]) == off) return h;
  }
  return -1;
}

/**
 * Make fClus[h] the cluster holding byte fPos[h]. With `grow`, clusters are allocated at
 * the end of the chain as needed. Returns OK, 1 at the end of the chain (reading), or an error.
 */
export function seekCluster(h: i32, grow: bool): i32 {
  const cb: u32 = secPerClus << 9;
  const pos = unchecked(fPos[h]);
  let c = unchecked(fClus[h]);
  let at = unchecked(fClusAt[h]);
  if (c == 0 || pos < at) {
    c = unchecked(fFirst[h]);
    at = 0;
    if (c == 0) {
      if (!grow) return 1;
      const n = allocCluster(0);
      if (n < 0) return <i32>n;
      c = <u32>n;
      unchecked(fFirst[h] = c);
      unchecked(fEntDirty[h] = true);
    }
  }
  while (<u64>pos >= <u64>at + cb) {
    let n = nextCluster(c);
    if (n == 0) {
      if (!grow) return 1;
      n = allocCluster(c);
    }
    if (n < 0) { unchecked(fClus[h] = 0); return <i32>n; }
    c = <u32>n;
    at += cb;
  }
  unchecked(fClus[h] = c);
  unchecked(fClusAt[h] = at);
  return OK;
}
