// FAT32 directories: lookup, path walking, creating, updating
// and deleting directory entries, timestamps.
//
// Names are taken straight from the caller's string (charCodeAt), so lookups allocate
// nothing. Directory sectors go through the volume's `win` window and are written through
// immediately; `win` is re-loaded before every use because FAT operations never touch it
// but zeroSectors() does.

import {
  OK, ERR_BAD_FS, ERR_INVALID_NAME, ERR_NOT_FOUND, ERR_EXISTS, ERR_NOT_DIR, ERR_FULL, ERR_INVALID_ARG,
} from "./errors";
import {
  ATTR_LFN, toShortName, isLongName, shortChecksum, lfnPartMatches, fillLongEntry, makeAlias,
} from "./names";
import {
  win, winLoad, winStore, zeroSectors, clusterLba, nextCluster, allocCluster, flushFat, rootCluster, secPerClus,
  ld8, ld16, ld32, st8, st16, st32,
} from "./volume";

export const ATTR_READ_ONLY: u32 = 0x01;
export const ATTR_VOLUME_ID: u32 = 0x08;
export const ATTR_DIRECTORY: u32 = 0x10;
export const ATTR_ARCHIVE: u32 = 0x20;
const DELETED: u32 = 0xe5;

// ---- clock: the timestamps written into entries ----
let dosDate: u32 = ((2024 - 1980) << 9) | (1 << 5) | 1; // 2024-01-01
let dosTime: u32 = 0; // 00:00:00

export function setDosClock(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i32 {
  if (year < 1980 || year > 2107 || month < 1 || month > 12 || day < 1 || day > 31) return ERR_INVALID_ARG;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return ERR_INVALID_ARG;
  dosDate = (<u32>(year - 1980) << 9) | (<u32>month << 5) | <u32>day;
  dosTime = (<u32>hour << 11) | (<u32>minute << 5) | (<u32>second >> 1);
  return OK;
}

// ---- name buffers ----
/** 11-byte short name of the component being looked up / created. */
const nameBuf: usize = memory.data(11);
/** Short-name candidates while choosing an alias for a long name. */
const aliasBuf: usize = memory.data(11);

// ---- lookup ----
// Result of the last findInDir():
export let entLba: u32 = 0; // sector and byte offset of the short entry
export let entOff: u32 = 0;
export let entAttr: u32 = 0;
export let entCluster: u32 = 0;
export let entSize: u32 = 0;
let lfnClus: u32 = 0; // first long-name entry of the match (cluster, index), lfnCount entries
let lfnIdx: u32 = 0;
let lfnCount: u32 = 0;
// A run of free entries (for creating), and the last cluster of the directory.
let runClus: u32 = 0;
let runIdx: u32 = 0;
let runLen: u32 = 0;
let dirLast: u32 = 0;
let dirClusters: u32 = 0; // clusters in the directory (known when runLen < need)

@inline function entriesPerCluster(): u32 { return secPerClus << 4; }

/**
 * Look for a name in the directory starting at cluster `dir`: by short name (`sfn`, 11
 * bytes, 0 = don't) and/or by long name (s[a..b), when `s` is not null, ASCII case-insensitive).
 * When `need` > 0, also finds `need` consecutive free entries (runLen < need: the directory
 * must grow after `dirLast`). Returns OK (found), ERR_NOT_FOUND or an error.
 */
function findInDir(dir: u32, sfn: usize, s: string | null, a: i32, b: i32, need: u32): i32 {
  const epc = entriesPerCluster();
  const len = b - a;
  runLen = 0;
  let seqLeft: u32 = 0; // long-name entries still expected before the short entry (0 = none pending)
  let seqMatch = false;
  let seqSum: u32 = 0;
  let seqClus: u32 = 0, seqIdx: u32 = 0, seqCount: u32 = 0;
  let c = dir;
  for (let guard: u32 = 0; ; guard++) {
    for (let i: u32 = 0; i < epc; i++) {
      const lba = clusterLba(c) + (i >> 4);
      if ((i & 15) == 0) {
        const r = winLoad(lba);
        if (r < 0) return r;
      }
      const p = win + ((i & 15) << 5);
      const b0 = ld8(p);
      if (b0 == 0) { // end of directory: this and everything after is free
        if (runLen < need) {
          if (runLen == 0) { runClus = c; runIdx = i; }
          runLen += epc - i;
          dirClusters = guard + 1;
          while (runLen < need) {
            const n = nextCluster(c);
            if (n < 0) return <i32>n;
            if (n == 0) break;
            c = <u32>n;
            runLen += epc;
            dirClusters++;
          }
          dirLast = c;
        }
        return ERR_NOT_FOUND;
      }
      if (b0 == DELETED) {
        if (runLen < need) {
          if (runLen == 0) { runClus = c; runIdx = i; }
          runLen++;
        }
        seqLeft = 0;
        continue;
      }
      if (runLen < need) runLen = 0;
      const attr = ld8(p + 11);
      if ((attr & 0x3f) == ATTR_LFN) {
        const ord = b0 & 0x3f;
        if (b0 & 0x40) { // last part, stored first
          if (ord < 1 || ord > 20) { seqLeft = 0; continue; }
          seqLeft = ord;
          seqSum = ld8(p + 13);
          seqClus = c; seqIdx = i; seqCount = ord;
          seqMatch = s != null && <i32>(ord - 1) * 13 < len && len <= <i32>ord * 13;
        } else if (seqLeft == 0 || ord != seqLeft || ld8(p + 13) != seqSum) {
          seqLeft = 0;
          continue;
        }
        if (seqMatch) seqMatch = lfnPartMatches(p, <i32>(ord - 1) * 13, changetype<string>(s), a, len);
        seqLeft = ord - 1;
        if (seqLeft == 0) seqLeft = 0x80; // complete: the short entry must come next
        continue;
      }
      const hadSeq = seqLeft == 0x80;
      seqLeft = 0;
      if (attr & ATTR_VOLUME_ID) continue;
      const owned = hadSeq && shortChecksum(p) == seqSum; // the long name belongs to this entry
      if ((sfn != 0 && memory.compare(p, sfn, 11) == 0) || (owned && seqMatch)) {
        entLba = lba;
        entOff = (i & 15) << 5;
        entAttr = attr;
        entCluster = (ld16(p + 20) << 16) | ld16(p + 26);
        entSize = ld32(p + 28);
        lfnCount = owned ? seqCount : 0;
        lfnClus = seqClus;
        lfnIdx = seqIdx;
        return OK;
      }
    }
    const n = nextCluster(c);
    if (n < 0) return <i32>n;
    if (n == 0) { dirLast = c; dirClusters = guard + 1; return ERR_NOT_FOUND; }
    if ((guard + 1) * epc >= 65536) return ERR_BAD_FS; // at most 65536 entries: a longer chain loops
    c = <u32>n;
  }
  return ERR_BAD_FS; // not reached
}

// ---- paths ----
/** Set by resolve(): the directory holding the last component s[compA..compB) of the path. */
export let parentCluster: u32 = 0;
export let compA: i32 = 0;
export let compB: i32 = 0;

@inline function isSep(c: i32): bool { return c == 0x2f || c == 0x5c; }

/**
 * Walk every component but the last. compA == compB afterwards means the path is the
 * root directory itself.
 */
export function resolve(path: string): i32 {
  const n = path.length;
  let dir = rootCluster;
  let i = 0;
  for (;;) {
    while (i < n && isSep(path.charCodeAt(i))) i++;
    let j = i;
    while (j < n && !isSep(path.charCodeAt(j))) j++;
    let k = j;
    while (k < n && isSep(path.charCodeAt(k))) k++;
    if (k >= n) { // last component (possibly empty: the root)
      parentCluster = dir;
      compA = i;
      compB = j;
      return OK;
    }
    const r = lookup(dir, path, i, j);
    if (r < 0) return r;
    if (!(entAttr & ATTR_DIRECTORY)) return ERR_NOT_DIR;
    dir = entCluster == 0 ? rootCluster : entCluster; // ".." of a first-level directory is 0
    i = k;
  }
  return ERR_BAD_FS; // not reached
}

/** Find component s[a..b) in `dir` (by 8.3 name if it is one, and by long name). */
export function lookup(dir: u32, s: string, a: i32, b: i32): i32 {
  const len = b - a;
  if (len == 1 && s.charCodeAt(a) == 0x2e || len == 2 && s.charCodeAt(a) == 0x2e && s.charCodeAt(a + 1) == 0x2e) {
    if (dir == rootCluster) { // the root has no "." / ".." entries
      entAttr = ATTR_DIRECTORY;
      entCluster = rootCluster;
      return OK;
    }
    memory.fill(nameBuf, 0x20, 11);
    st8(nameBuf, 0x2e);
    if (len == 2) st8(nameBuf + 1, 0x2e);
    return findInDir(dir, nameBuf, null, 0, 0, 0);
  }
  const short = toShortName(s, a, b, nameBuf);
  if (!short && !isLongName(s, a, b)) return ERR_INVALID_NAME;
  return findInDir(dir, short ? nameBuf : 0, s, a, b, 0);
}

// ---- entries ----
function fillShortEntry(p: usize, name: usize, attr: u32, cluster: u32, size: u32): void {
  memory.copy(p, name, 11);
  st8(p + 11, attr);
  st8(p + 12, 0); // NTRes
  st8(p + 13, 0); // CrtTimeTenth
  st16(p + 14, dosTime); // CrtTime
  st16(p + 16, dosDate); // CrtDate
  st16(p + 18, dosDate); // LstAccDate
  st16(p + 20, cluster >> 16);
  st16(p + 22, dosTime); // WrtTime
  st16(p + 24, dosDate); // WrtDate
  st16(p + 26, cluster & 0xffff);
  st32(p + 28, size);
}

/**
 * Create an entry for s[a..b) in directory `dir` (which must not hold the name yet):
 * long-name entries first if the name is not 8.3, then the short entry. Grows the
 * directory if needed (new cluster zeroed and linked before any entry goes in it).
 * Afterwards entLba/entOff locate the short entry.
 */
export function createEntry(dir: u32, s: string, a: i32, b: i32, attr: u32, cluster: u32): i32 {
  let r: i32;
  const len = b - a;
  let slots: u32 = 1;
  let name = nameBuf;
  if (!toShortName(s, a, b, nameBuf)) {
    if (!isLongName(s, a, b)) return ERR_INVALID_NAME;
    let tail: u32 = 1;
    for (; tail < 1000000; tail++) {
      makeAlias(s, a, b, tail, aliasBuf);
      r = findInDir(dir, aliasBuf, null, 0, 0, 0);
      if (r == ERR_NOT_FOUND) break;
      if (r < 0) return r;
    }
    if (tail == 1000000) return ERR_EXISTS;
    name = aliasBuf;
    slots = 1 + <u32>(len + 12) / 13;
  }
  r = findInDir(dir, name, s, a, b, slots);
  if (r == OK) return ERR_EXISTS;
  if (r != ERR_NOT_FOUND) return r;

  const epc = entriesPerCluster();
  while (runLen < slots) { // grow the directory: zeroed cluster on disk, then the FAT link
    if ((dirClusters + 1) * epc > 65536) return ERR_FULL; // FAT directories end at 65536 entries
    const n = allocCluster(dirLast);
    if (n < 0) return <i32>n;
    const c = <u32>n;
    r = zeroSectors(clusterLba(c), secPerClus);
    if (r < 0) return r;
    if (runLen == 0) { runClus = c; runIdx = 0; }
    runLen += epc;
    dirLast = c;
    dirClusters++;
    r = flushFat();
    if (r < 0) return r;
  }

  const sum = shortChecksum(name);
  let c = runClus;
  let i = runIdx;
  for (let k: u32 = 0; k < slots; k++) {
    const lba = clusterLba(c) + (i >> 4);
    r = winLoad(lba);
    if (r < 0) return r;
    const p = win + ((i & 15) << 5);
    if (k + 1 < slots) {
      fillLongEntry(p, slots - 1 - k, k == 0, sum, s, a, len);
    } else {
      fillShortEntry(p, name, attr, cluster, 0);
      entLba = lba;
      entOff = (i & 15) << 5;
    }
    // Write the sector when leaving it or after the last entry.
    if (k + 1 == slots || (i & 15) == 15) {
      r = winStore();
      if (r < 0) return r;
    }
    i++;
    if (i == epc && k + 1 < slots) {
      const n = nextCluster(c);
      if (n <= 0) return n == 0 ? ERR_BAD_FS : <i32>n;
      c = <u32>n;
      i = 0;
    }
  }
  return OK;
}

/** Store cluster, size and the write time in the short entry at (lba, off); sets ARCHIVE. */
export function updateEntry(lba: u32, off: u32, cluster: u32, size: u32): i32 {
  const r = winLoad(lba);
  if (r < 0) return r;
  const p = win + off;
  st8(p + 11, ld8(p + 11) | ATTR_ARCHIVE);
  st16(p + 18, dosDate);
  st16(p + 20, cluster >> 16);
  st16(p + 22, dosTime);
  st16(p + 24, dosDate);
  st16(p + 26, cluster & 0xffff);
  st32(p + 28, size);
  return winStore();
}

/** Delete the entry found by the last lookup(): short entry first, then its long-name parts. */
export function deleteFoundEntry(): i32 {
  let r = winLoad(entLba);
  if (r < 0) return r;
  st8(win + entOff, DELETED);
  r = winStore();
  if (r < 0) return r;
  const epc = entriesPerCluster();
  let c = lfnClus;
  let i = lfnIdx;
  for (let k: u32 = 0; k < lfnCount; k++) {
    r = winLoad(clusterLba(c) + (i >> 4));
    if (r < 0) return r;
    st8(win + ((i & 15) << 5), DELETED);
    if (k + 1 == lfnCount || (i & 15) == 15) {
      r = winStore();
      if (r < 0) return r;
    }
    i++;
    if (i == epc && k + 1 < lfnCount) {
      const n = nextCluster(c);
      if (n <= 0) return n == 0 ? ERR_BAD_FS : <i32>n;
      c = <u32>n;
      i = 0;
    }
  }
  return OK;
}

/**
 * Write the first sector of a new directory cluster `c` (whose sectors are already zero):
 * "." and ".." entries. `parent` is the parent directory cluster (0 stands for the root).
 */
export function writeDotEntries(c: u32, parent: u32): i32 {
  const lba = clusterLba(c);
  let r = winLoad(lba);
  if (r < 0) return r;
  memory.fill(win, 0x20, 11);
  st8(win, 0x2e);
  fillShortEntry(win, win, ATTR_DIRECTORY, c, 0);
  memory.fill(win + 32, 0x20, 11);
  st8(win + 32, 0x2e);
  st8(win + 33, 0x2e);
  fillShortEntry(win + 32, win + 32, ATTR_DIRECTORY, parent == rootCluster ? 0 : parent, 0);
  return winStore();
}
