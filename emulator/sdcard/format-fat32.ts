// Host-side FAT32 formatter for emulated SD card images.
//
// Written from the on-disk format facts (Microsoft FAT specification): a boot sector with
// the FAT32 BPB, an FSInfo sector, a backup boot sector at 6 (+ FSInfo backup at 7), two
// FATs and a data region whose first cluster (2) is the root directory. Optionally an MBR
// with one partition of type 0x0C (FAT32, LBA) starting at 1 MiB.
//
// Only the sectors that hold non-zero bytes are produced; `createFat32Image` writes them
// into a sparse file, so a multi-GiB card image costs a few KiB of memory and disk.

import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";

export const SECTOR_SIZE = 512;
/** FAT32 needs at least this many data clusters (fewer would make it FAT16 by definition). */
export const FAT32_MIN_CLUSTERS = 65525;
/** Largest cluster count whose numbers stay below the reserved values 0x0FFFFFF7... */
export const FAT32_MAX_CLUSTERS = 0x0ffffff5;
export const DEFAULT_CARD_SIZE = 64 * 1024 * 1024;

export interface Fat32Options {
  /** Volume label (up to 11 characters, upper-cased). Default: none ("NO NAME"). */
  label?: string;
  /** Put an MBR with one FAT32 partition (type 0x0C) at 1 MiB in front of the volume. */
  partitioned?: boolean;
  /** Volume serial number. Default 0x54494E59 ("TINY"), so images are deterministic. */
  volumeId?: number;
  /** Force sectors per cluster (power of two, 1..128). Default: chosen from the size. */
  sectorsPerCluster?: number;
  /** Timestamp used for the volume label entry. Default 2024-01-01 00:00:00. */
  date?: {
    year: number;
    month: number;
    day: number;
    hour?: number;
    minute?: number;
    second?: number;
  };
}

export interface Fat32Layout {
  sizeBytes: number;
  /** Total sectors of the card. */
  cardSectors: number;
  /** First sector of the FAT volume (0 for a superfloppy, 2048 when partitioned). */
  volumeStart: number;
  volumeSectors: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numFats: number;
  fatSectors: number;
  /** First data sector, relative to volumeStart. */
  dataStart: number;
  clusterCount: number;
  rootCluster: number;
  volumeId: number;
  label: string;
}

export interface SectorData {
  lba: number;
  data: Buffer;
}

const PARTITION_START = 2048; // 1 MiB, the usual SD card alignment
const RESERVED_SECTORS = 32;
const NUM_FATS = 2;
const FSINFO_SECTOR = 1;
const BACKUP_BOOT_SECTOR = 6;
const ROOT_CLUSTER = 2;
const MEDIA_FIXED = 0xf8;
const LABEL_CHARS = /^[A-Z0-9 !#$%&'()\-@^_`{}~]*$/;

/** Sectors per cluster from Microsoft's FAT32 size table (512-byte sectors). */
function defaultSectorsPerCluster(volumeSectors: number): number {
  if (volumeSectors <= 532480) return 1; // up to 260 MB: 512 B clusters
  if (volumeSectors <= 16777216) return 8; // up to 8 GB: 4 KiB
  if (volumeSectors <= 33554432) return 16; // up to 16 GB: 8 KiB
  if (volumeSectors <= 67108864) return 32; // up to 32 GB: 16 KiB
  return 64; // 32 KiB
}

function clustersFor(
  volumeSectors: number,
  reserved: number,
  fatSectors: number,
  spc: number,
): number {
  return Math.floor((volumeSectors - reserved - NUM_FATS * fatSectors) / spc);
}

/** Smallest FAT size (sectors) that holds an entry for every cluster it leaves room for. */
function fatSectorsFor(volumeSectors: number, reserved: number, spc: number): number {
  const entriesPerSector = SECTOR_SIZE / 4;
  const needed = (fat: number) =>
    Math.ceil((clustersFor(volumeSectors, reserved, fat, spc) + 2) / entriesPerSector);
  // Upper bound: as if the FATs took no space; then shrink while the smaller FAT still fits.
  let fat = Math.ceil((Math.floor((volumeSectors - reserved) / spc) + 2) / entriesPerSector);
  while (fat > 1 && needed(fat - 1) <= fat - 1) fat--;
  return fat;
}

function normalizeLabel(label: string | undefined): string {
  if (label === undefined || label === "") return "";
  const up = label.toUpperCase();
  if (up.length > 11 || !LABEL_CHARS.test(up) || up.trim() === "") {
    throw new RangeError(`invalid FAT volume label: ${JSON.stringify(label)}`);
  }
  return up.padEnd(11, " ");
}

/** Compute the geometry of the volume without producing any data. */
export function fat32Layout(
  sizeBytes: number = DEFAULT_CARD_SIZE,
  opts: Fat32Options = {},
): Fat32Layout {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % SECTOR_SIZE !== 0) {
    throw new RangeError(
      `card size must be a positive multiple of ${SECTOR_SIZE} bytes, got ${sizeBytes}`,
    );
  }
  const cardSectors = sizeBytes / SECTOR_SIZE;
  if (cardSectors > 0xffffffff) throw new RangeError("card too large for 32-bit sector numbers");
  const volumeStart = opts.partitioned ? PARTITION_START : 0;
  const volumeSectors = cardSectors - volumeStart;
  if (volumeSectors <= 0) throw new RangeError("card too small");

  const forced = opts.sectorsPerCluster;
  if (
    forced !== undefined &&
    !(Number.isInteger(forced) && forced >= 1 && forced <= 128 && (forced & (forced - 1)) === 0)
  ) {
    throw new RangeError(`sectors per cluster must be a power of two in 1..128, got ${forced}`);
  }
  let spc = forced ?? defaultSectorsPerCluster(volumeSectors);
  let reserved = RESERVED_SECTORS;
  let fatSectors = 0;
  let clusters = 0;
  for (;;) {
    reserved = RESERVED_SECTORS;
    fatSectors = fatSectorsFor(volumeSectors, reserved, spc);
    // Align the data region to a cluster boundary by growing the reserved area. That only
    // removes data sectors, so the FAT computed above stays large enough.
    const misalign = (reserved + NUM_FATS * fatSectors) % spc;
    if (misalign !== 0) reserved += spc - misalign;
    clusters = clustersFor(volumeSectors, reserved, fatSectors, spc);
    if (clusters >= FAT32_MIN_CLUSTERS || forced !== undefined || spc === 1) break;
    spc >>= 1; // too few clusters for FAT32: use smaller clusters
  }
  if (clusters < FAT32_MIN_CLUSTERS) {
    throw new RangeError(
      `volume too small for FAT32: ${clusters} clusters of ${spc * SECTOR_SIZE} bytes (need ${FAT32_MIN_CLUSTERS})`,
    );
  }
  if (clusters > FAT32_MAX_CLUSTERS)
    throw new RangeError("volume too large for FAT32 with this cluster size");
  return {
    sizeBytes,
    cardSectors,
    volumeStart,
    volumeSectors,
    sectorsPerCluster: spc,
    reservedSectors: reserved,
    numFats: NUM_FATS,
    fatSectors,
    dataStart: reserved + NUM_FATS * fatSectors,
    clusterCount: clusters,
    rootCluster: ROOT_CLUSTER,
    volumeId: (opts.volumeId ?? 0x54494e59) >>> 0,
    label: normalizeLabel(opts.label),
  };
}

function fatDate(d: Required<NonNullable<Fat32Options["date"]>>): { date: number; time: number } {
  return {
    date: ((d.year - 1980) << 9) | (d.month << 5) | d.day,
    time: (d.hour << 11) | (d.minute << 5) | (d.second >> 1),
  };
}

function bootSector(l: Fat32Layout): Buffer {
  const b = Buffer.alloc(SECTOR_SIZE);
  b[0] = 0xeb; // JMP short to the boot code at 0x5A, then NOP
  b[1] = 0x58;
  b[2] = 0x90;
  b.write("TINYBRD ", 3, "ascii"); // OEM name
  b.writeUInt16LE(SECTOR_SIZE, 11); // BPB_BytsPerSec
  b[13] = l.sectorsPerCluster; // BPB_SecPerClus
  b.writeUInt16LE(l.reservedSectors, 14); // BPB_RsvdSecCnt
  b[16] = l.numFats; // BPB_NumFATs
  b.writeUInt16LE(0, 17); // BPB_RootEntCnt: 0 on FAT32
  b.writeUInt16LE(0, 19); // BPB_TotSec16: 0, use TotSec32
  b[21] = MEDIA_FIXED; // BPB_Media
  b.writeUInt16LE(0, 22); // BPB_FATSz16: 0 on FAT32
  b.writeUInt16LE(63, 24); // BPB_SecPerTrk (geometry is nominal for SD cards)
  b.writeUInt16LE(255, 26); // BPB_NumHeads
  b.writeUInt32LE(l.volumeStart, 28); // BPB_HiddSec: sectors before the volume
  b.writeUInt32LE(l.volumeSectors, 32); // BPB_TotSec32
  b.writeUInt32LE(l.fatSectors, 36); // BPB_FATSz32
  b.writeUInt16LE(0, 40); // BPB_ExtFlags: FATs mirrored
  b.writeUInt16LE(0, 42); // BPB_FSVer 0.0
  b.writeUInt32LE(l.rootCluster, 44); // BPB_RootClus
  b.writeUInt16LE(FSINFO_SECTOR, 48); // BPB_FSInfo
  b.writeUInt16LE(BACKUP_BOOT_SECTOR, 50); // BPB_BkBootSec
  b[64] = 0x80; // BS_DrvNum
  b[66] = 0x29; // BS_BootSig: the next three fields are present
  b.writeUInt32LE(l.volumeId, 67); // BS_VolID
  b.write(l.label || "NO NAME    ", 71, "ascii"); // BS_VolLab
  b.write("FAT32   ", 82, "ascii"); // BS_FilSysType
  // Boot code: INT 18h ("no bootable disk"), then spin.
  b[0x5a] = 0xcd;
  b[0x5b] = 0x18;
  b[0x5c] = 0xeb;
  b[0x5d] = 0xfe;
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

function fsInfoSector(l: Fat32Layout): Buffer {
  const b = Buffer.alloc(SECTOR_SIZE);
  b.writeUInt32LE(0x41615252, 0); // FSI_LeadSig
  b.writeUInt32LE(0x61417272, 484); // FSI_StrucSig
  b.writeUInt32LE(l.clusterCount - 1, 488); // FSI_Free_Count: all but the root directory
  b.writeUInt32LE(l.rootCluster + 1, 492); // FSI_Nxt_Free hint
  b.writeUInt32LE(0xaa550000, 508); // FSI_TrailSig
  return b;
}

function mbrSector(l: Fat32Layout): Buffer {
  const b = Buffer.alloc(SECTOR_SIZE);
  b.writeUInt32LE(l.volumeId, 440); // disk signature
  const e = 446; // first partition entry
  b[e] = 0x00; // not bootable
  // CHS start/end: the "use LBA" marker values, as for any card beyond 8 GB.
  b[e + 1] = 0xfe;
  b[e + 2] = 0xff;
  b[e + 3] = 0xff;
  b[e + 4] = 0x0c; // FAT32 with LBA addressing
  b[e + 5] = 0xfe;
  b[e + 6] = 0xff;
  b[e + 7] = 0xff;
  b.writeUInt32LE(l.volumeStart, e + 8);
  b.writeUInt32LE(l.volumeSectors, e + 12);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

/**
 * The non-zero sectors of a blank FAT32 card (every other sector is zero), sorted by LBA.
 * LBAs are absolute card sectors.
 */
export function fat32Sectors(
  sizeBytes: number = DEFAULT_CARD_SIZE,
  opts: Fat32Options = {},
): { layout: Fat32Layout; sectors: SectorData[] } {
  const l = fat32Layout(sizeBytes, opts);
  const v = l.volumeStart;
  const sectors: SectorData[] = [];
  if (opts.partitioned) sectors.push({ lba: 0, data: mbrSector(l) });
  const boot = bootSector(l);
  const info = fsInfoSector(l);
  sectors.push({ lba: v, data: boot }, { lba: v + FSINFO_SECTOR, data: info });
  sectors.push(
    { lba: v + BACKUP_BOOT_SECTOR, data: boot },
    { lba: v + BACKUP_BOOT_SECTOR + FSINFO_SECTOR, data: info },
  );
  // FAT[0] = media byte with the rest of the bits set, FAT[1] = end-of-chain with the
  // "clean shutdown" and "no hard error" bits set, FAT[2] = root directory (one cluster).
  const fat = Buffer.alloc(SECTOR_SIZE);
  fat.writeUInt32LE(0x0fffff00 | MEDIA_FIXED, 0);
  fat.writeUInt32LE(0x0fffffff, 4);
  fat.writeUInt32LE(0x0fffffff, 8);
  for (let i = 0; i < l.numFats; i++)
    sectors.push({ lba: v + l.reservedSectors + i * l.fatSectors, data: fat });
  if (l.label) {
    const d = { hour: 0, minute: 0, second: 0, ...(opts.date ?? { year: 2024, month: 1, day: 1 }) };
    const { date, time } = fatDate(d);
    const root = Buffer.alloc(SECTOR_SIZE);
    root.write(l.label, 0, "ascii");
    root[11] = 0x08; // ATTR_VOLUME_ID
    root.writeUInt16LE(time, 22); // DIR_WrtTime
    root.writeUInt16LE(date, 24); // DIR_WrtDate
    sectors.push({ lba: v + l.dataStart, data: root });
  }
  return { layout: l, sectors };
}

/**
 * Write a blank FAT32 card image of `sizeBytes` (default 64 MiB) to `path` as a sparse
 * file (an existing file is replaced). Returns the layout.
 */
export function createFat32Image(
  path: string,
  sizeBytes: number = DEFAULT_CARD_SIZE,
  opts: Fat32Options = {},
): Fat32Layout {
  const { layout, sectors } = fat32Sectors(sizeBytes, opts);
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, sizeBytes);
    for (const s of sectors) writeSync(fd, s.data, 0, s.data.length, s.lba * SECTOR_SIZE);
  } finally {
    closeSync(fd);
  }
  return layout;
}

/** The same image in memory (allocates the whole card: meant for small cards and tests). */
export function formatFat32(
  sizeBytes: number = DEFAULT_CARD_SIZE,
  opts: Fat32Options = {},
): Buffer {
  const { sectors } = fat32Sectors(sizeBytes, opts);
  const img = Buffer.alloc(sizeBytes);
  for (const s of sectors) s.data.copy(img, s.lba * SECTOR_SIZE);
  return img;
}
