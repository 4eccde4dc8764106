// FAT32 volume layer: mount (MBR / superfloppy, BPB checks), the FAT sector cache with
// mirrored write-back, cluster allocation and the FSInfo free-cluster hint.
//
// Static buffers only: `win` (directory and boot sectors), `fatBuf` (one FAT sector) and
// `infoBuf` (the FSInfo sector). Nothing here allocates.

import { present, blockCount, readBlocks, writeBlocks } from "../../hal/sdcard";
import {
  OK, ERR_IO, ERR_NO_CARD, ERR_NO_FS, ERR_BAD_FS, ERR_UNSUPPORTED, ERR_FULL,
} from "./errors";

export const SECTOR: u32 = 512;
export const NO_LBA: u32 = 0xffffffff;
/** FAT32 entries are 28 bits; values from here up end a chain. */
export const FAT_EOC: u32 = 0x0ffffff8;
export const FAT_MASK: u32 = 0x0fffffff;
const FAT_BAD: u32 = 0x0ffffff7;
const UNKNOWN: u32 = 0xffffffff;

// ---- geometry (valid while `mounted`) ----
export let mounted = false;
export let volStart: u32 = 0; // card LBA of the boot sector
export let secPerClus: u32 = 1;
export let clusShift: u32 = 0; // log2(secPerClus)
export let clusterCount: u32 = 0; // data clusters; valid numbers are 2..clusterCount+1
export let rootCluster: u32 = 2;
let fatStart: u32 = 0; // card LBA of FAT #0
let fatSize: u32 = 0; // sectors per FAT
let numFats: u32 = 2;
let activeFat: i32 = -1; // -1: all FATs mirrored, else the only FAT in use (BPB_ExtFlags)
let dataStart: u32 = 0; // card LBA of cluster 2
let fsInfoLba: u32 = 0; // 0: no FSInfo sector

// ---- FSInfo state ----
let freeCount: u32 = UNKNOWN; // free clusters as of the FAT cache, or UNKNOWN
let nextFree: u32 = 2; // where the next allocation search starts
let infoOnDiskValid = false; // the FSInfo sector on disk holds a count (not 0xFFFFFFFF)

// ---- buffers ----
/** General sector window: boot sector at mount, then directory sectors. Write-through. */
export const win: usize = memory.data(512, 16);
let winLba: u32 = NO_LBA;
const fatBuf: usize = memory.data(512, 16);
let fatBufSec: u32 = NO_LBA; // sector index inside the FAT
let fatDirty = false;
const infoBuf: usize = memory.data(512, 16);

/** Called before a FAT sector goes to disk, so file data always precedes the chain that links it. */
let dataFlushHook: () => i32 = noHook;
function noHook(): i32 { return OK; }
export function setDataFlushHook(hook: () => i32): void { dataFlushHook = hook; }

// ---- little-endian field access (wasm is little-endian, unaligned loads are fine) ----
@inline export function ld8(p: usize): u32 { return <u32>load<u8>(p); }
@inline export function ld16(p: usize): u32 { return <u32>load<u16>(p); }
@inline export function ld32(p: usize): u32 { return load<u32>(p); }
@inline export function st8(p: usize, v: u32): void { store<u8>(p, <u8>v); }
@inline export function st16(p: usize, v: u32): void { store<u16>(p, <u16>v); }
@inline export function st32(p: usize, v: u32): void { store<u32>(p, v); }

@inline export function clusterLba(c: u32): u32 { return dataStart + ((c - 2) << clusShift); }
@inline export function validCluster(c: u32): bool { return c >= 2 && c <= clusterCount + 1; }
@inline export function clusterBytes(): u32 { return secPerClus << 9; }

// ---- sector window ----
export function winLoad(lba: u32): i32 {
  if (winLba == lba) return OK;
  winLba = NO_LBA;
  if (readBlocks(lba, 1, win) < 0) return ERR_IO;
  winLba = lba;
  return OK;
}

/** Write the window back to its sector (callers modify it right after winLoad). */
export function winStore(): i32 {
  if (winLba == NO_LBA) return ERR_IO;
  if (writeBlocks(winLba, 1, win) < 0) { winLba = NO_LBA; return ERR_IO; }
  return OK;
}

/** Fill `count` sectors from `lba` with zeros (through the window, which ends up zero). */
export function zeroSectors(lba: u32, count: u32): i32 {
  memory.fill(win, 0, 512);
  winLba = NO_LBA;
  for (let i: u32 = 0; i < count; i++) {
    if (writeBlocks(lba + i, 1, win) < 0) return ERR_IO;
  }
  if (count > 0) winLba = lba + count - 1;
  return OK;
}

// ---- mount ----
function isPow2(v: u32): bool { return v != 0 && (v & (v - 1)) == 0; }

/** Does `p` look like a FAT boot sector (of any FAT type)? Used to tell a superfloppy from an MBR. */
function looksLikeBootSector(p: usize): bool {
  if (ld16(p + 510) != 0xaa55) return false;
  const j = ld8(p);
  if (!(j == 0xeb && ld8(p + 2) == 0x90) && j != 0xe9) return false;
  const bps = ld16(p + 11);
  return isPow2(bps) && bps >= 512 && bps <= 4096 && isPow2(ld8(p + 13)) && ld16(p + 14) != 0 && ld8(p + 16) != 0;
}

export function unmountVolume(): void {
  mounted = false;
  winLba = NO_LBA;
  fatBufSec = NO_LBA;
  fatDirty = false;
}

export function mountVolume(): i32 {
  unmountVolume();
  if (!present()) return ERR_NO_CARD;
  const cardBlocks = blockCount();
  if (winLoad(0) < 0) return ERR_IO;
  let start: u32 = 0;
  if (!looksLikeBootSector(win)) {
    if (ld16(win + 510) != 0xaa55) return ERR_NO_FS;
    // An MBR: take the first FAT32 partition (0x0B CHS, 0x0C LBA).
    let found = false;
    let other = false;
    for (let i: u32 = 0; i < 4; i++) {
      const e = win + 446 + (i << 4);
      const type = ld8(e + 4);
      if (type == 0x0b || type == 0x0c) {
        start = ld32(e + 8);
        found = true;
        break;
      }
      if (type == 0xee || type == 0x01 || type == 0x04 || type == 0x06 || type == 0x0e) other = true;
    }
    if (!found) return other ? ERR_UNSUPPORTED : ERR_NO_FS;
    if (start == 0 || start >= cardBlocks) return ERR_BAD_FS;
    if (winLoad(start) < 0) return ERR_IO;
    if (!looksLikeBootSector(win)) return ERR_NO_FS;
  }
  const r = parseBpb(start, cardBlocks);
  if (r < 0) return r;
  mounted = true;
  return OK;
}

function parseBpb(start: u32, cardBlocks: u32): i32 {
  const p = win;
  if (ld16(p + 11) != 512) return ERR_UNSUPPORTED;
  const spc = ld8(p + 13);
  const rsvd = ld16(p + 14);
  const nf = ld8(p + 16);
  if (!isPow2(spc) || spc > 128 || rsvd == 0 || nf == 0 || nf > 2) return ERR_BAD_FS;
  if (ld16(p + 17) != 0 || ld16(p + 22) != 0) return ERR_UNSUPPORTED; // root entries / FATSz16: FAT12/16
  const tot16 = ld16(p + 19);
  const total: u32 = tot16 != 0 ? tot16 : ld32(p + 32);
  const fsz = ld32(p + 36);
  if (total == 0 || fsz == 0) return ERR_BAD_FS;
  if (ld16(p + 42) != 0) return ERR_UNSUPPORTED; // FSVer
  const meta: u64 = <u64>rsvd + <u64>nf * <u64>fsz;
  if (meta >= <u64>total) return ERR_BAD_FS;
  if (<u64>start + <u64>total > <u64>cardBlocks) return ERR_BAD_FS; // volume runs past the card
  const clusters = (total - <u32>meta) / spc;
  if (clusters < 1 || clusters > 0x0ffffff5) return ERR_BAD_FS;
  if (<u64>clusters + 2 > <u64>fsz * 128) return ERR_BAD_FS; // FAT too small for the data area
  const root = ld32(p + 44);
  if (root < 2 || root > clusters + 1) return ERR_BAD_FS;
  const ext = ld16(p + 40);
  let active: i32 = -1;
  if (ext & 0x80) {
    active = <i32>(ext & 0x0f);
    if (<u32>active >= nf) return ERR_BAD_FS;
  }

  volStart = start;
  secPerClus = spc;
  clusShift = ctz<u32>(spc);
  numFats = nf;
  fatSize = fsz;
  fatStart = start + rsvd;
  dataStart = start + <u32>meta;
  clusterCount = clusters;
  rootCluster = root;
  activeFat = active;

  // FSInfo: trust a well-formed count (we only ever store one when the FAT on disk matches it).
  freeCount = UNKNOWN;
  nextFree = 2;
  infoOnDiskValid = false;
  fsInfoLba = 0;
  const fsi = ld16(p + 48);
  if (fsi != 0 && fsi < rsvd) {
    if (readBlocks(start + fsi, 1, infoBuf) < 0) return ERR_IO;
    if (ld32(infoBuf) == 0x41615252 && ld32(infoBuf + 484) == 0x61417272 && ld32(infoBuf + 508) == 0xaa550000) {
      fsInfoLba = start + fsi;
      const fc = ld32(infoBuf + 488);
      if (fc <= clusters) { freeCount = fc; infoOnDiskValid = true; }
      const nx = ld32(infoBuf + 492);
      if (validCluster(nx)) nextFree = nx;
    }
  }
  return OK;
}

// ---- FAT cache ----
function fatLoad(sec: u32): i32 {
  if (fatBufSec == sec) return OK;
  if (fatDirty) {
    const r = flushFat();
    if (r < 0) return r;
  }
  fatBufSec = NO_LBA;
  const which: u32 = activeFat < 0 ? 0 : <u32>activeFat;
  if (readBlocks(fatStart + which * fatSize + sec, 1, fatBuf) < 0) return ERR_IO;
  fatBufSec = sec;
  return OK;
}

/** Write the cached FAT sector to every FAT copy (file data first, FSInfo marked stale first). */
export function flushFat(): i32 {
  if (!fatDirty) return OK;
  let r = dataFlushHook();
  if (r < 0) return r;
  if (infoOnDiskValid) {
    // The count on disk is about to go stale: say "unknown" until the next commitFsInfo().
    st32(infoBuf + 488, UNKNOWN);
    st32(infoBuf + 492, UNKNOWN);
    if (writeBlocks(fsInfoLba, 1, infoBuf) < 0) return ERR_IO;
    infoOnDiskValid = false;
  }
  for (let i: u32 = 0; i < numFats; i++) {
    if (activeFat >= 0 && <u32>activeFat != i) continue;
    if (writeBlocks(fatStart + i * fatSize + fatBufSec, 1, fatBuf) < 0) return ERR_IO;
  }
  fatDirty = false;
  return OK;
}

/** FAT entry of cluster `c` (28 bits), or a negative error. */
export function fatGet(c: u32): i64 {
  if (!validCluster(c)) return ERR_BAD_FS;
  const r = fatLoad(c >> 7);
  if (r < 0) return r;
  return <i64>(ld32(fatBuf + ((c & 127) << 2)) & FAT_MASK);
}

export function fatSet(c: u32, v: u32): i32 {
  if (!validCluster(c)) return ERR_BAD_FS;
  const r = fatLoad(c >> 7);
  if (r < 0) return r;
  const p = fatBuf + ((c & 127) << 2);
  const old = ld32(p);
  st32(p, (old & ~FAT_MASK) | (v & FAT_MASK)); // keep the 4 reserved bits
  fatDirty = true;
  const wasFree = (old & FAT_MASK) == 0;
  const isFree = (v & FAT_MASK) == 0;
  if (freeCount != UNKNOWN) {
    if (wasFree && !isFree) freeCount--;
    else if (!wasFree && isFree) freeCount++;
  }
  return OK;
}

/**
 * Next cluster of a chain: the cluster number, 0 at the end of the chain, or a negative
 * error (a free, bad or out-of-range link is corruption).
 */
export function nextCluster(c: u32): i64 {
  const v = fatGet(c);
  if (v < 0) return v;
  const n = <u32>v;
  if (n >= FAT_EOC) return 0;
  if (!validCluster(n) || n == FAT_BAD) return ERR_BAD_FS;
  return <i64>n;
}

/**
 * Take a free cluster, mark it end-of-chain and (if `prev` != 0) link `prev` to it, in
 * that order. Only the FAT cache changes; the caller writes the cluster's data before the
 * next flushFat(). Returns the cluster or a negative error.
 */
export function allocCluster(prev: u32): i64 {
  if (freeCount == 0) return ERR_FULL;
  let c = validCluster(nextFree) ? nextFree : 2;
  const last = clusterCount + 1;
  for (let i: u32 = 0; i < clusterCount; i++) {
    const v = fatGet(c);
    if (v < 0) return v;
    if (v == 0) {
      let r = fatSet(c, FAT_MASK);
      if (r < 0) return r;
      if (prev != 0) {
        r = fatSet(prev, c);
        if (r < 0) return r;
      }
      nextFree = c == last ? 2 : c + 1;
      return <i64>c;
    }
    c = c == last ? 2 : c + 1;
  }
  freeCount = 0;
  return ERR_FULL;
}

/** Mark every cluster of the chain starting at `first` free. */
export function freeChain(first: u32): i32 {
  let c = first;
  for (let i: u32 = 0; i <= clusterCount && c != 0; i++) {
    const n = nextCluster(c);
    if (n < 0) return <i32>n;
    const r = fatSet(c, 0);
    if (r < 0) return r;
    if (c < nextFree) nextFree = c;
    c = <u32>n;
  }
  return c == 0 ? OK : ERR_BAD_FS;
}

/** Free clusters (scans the FAT once if the FSInfo count was unknown), or a negative error. */
export function countFree(): i64 {
  if (freeCount == UNKNOWN) {
    let n: u32 = 0;
    for (let c: u32 = 2; c <= clusterCount + 1; c++) {
      const v = fatGet(c);
      if (v < 0) return v;
      if (v == 0) n++;
    }
    freeCount = n;
  }
  return <i64>freeCount;
}

/**
 * After the FAT is flushed: store the free count and next-free hint in FSInfo, so the
 * sector on disk is either exact or "unknown" (0xFFFFFFFF), never stale.
 */
export function commitFsInfo(): i32 {
  if (fsInfoLba == 0 || fatDirty || freeCount == UNKNOWN || infoOnDiskValid) return OK;
  st32(infoBuf + 488, freeCount);
  st32(infoBuf + 492, nextFree);
  if (writeBlocks(fsInfoLba, 1, infoBuf) < 0) return ERR_IO;
  infoOnDiskValid = true;
  return OK;
}
