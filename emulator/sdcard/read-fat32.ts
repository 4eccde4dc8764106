// Host-side FAT32 reader for emulated SD card images: finds a file by path and reads it, so a
// scenario can check what the firmware wrote without mtools. Written from the on-disk format
// (Microsoft FAT specification): BPB fields, the cluster chain in FAT 1, 32-byte directory
// entries with VFAT long names before their short entry. A card with an MBR is read from its
// first partition.
import { closeSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors.ts";

const END_OF_CHAIN = 0x0ffffff8;
const ATTR_LONG_NAME = 0x0f,
  ATTR_VOLUME = 0x08,
  ATTR_DIR = 0x10;

export interface CardEntry {
  name: string;
  dir: boolean;
  size: number;
  cluster: number;
}

export class Fat32Reader {
  private readonly fd: number;
  private bytesPerSector = 512;
  private sectorsPerCluster = 1;
  private fatStart = 0;
  private dataStart = 0;
  private rootCluster = 2;

  constructor(readonly imagePath: string) {
    this.fd = openSync(imagePath, "r");
    try {
      let boot = this.read(0, 512);
      let volume = 0;
      if (boot.toString("latin1", 82, 90) !== "FAT32   ") {
        volume = boot.readUInt32LE(0x1be + 8) * 512; // first MBR partition's LBA
        boot = this.read(volume, 512);
        if (boot.toString("latin1", 82, 90) !== "FAT32   ")
          throw new UserError(`${imagePath}: not a FAT32 card image`);
      }
      this.bytesPerSector = boot.readUInt16LE(11);
      this.sectorsPerCluster = boot.readUInt8(13);
      const reserved = boot.readUInt16LE(14);
      const fats = boot.readUInt8(16);
      const fatSectors = boot.readUInt32LE(36);
      this.rootCluster = boot.readUInt32LE(44);
      this.fatStart = volume + reserved * this.bytesPerSector;
      this.dataStart = this.fatStart + fats * fatSectors * this.bytesPerSector;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private read(at: number, length: number): Buffer {
    const b = Buffer.alloc(length);
    readSync(this.fd, b, 0, length, at);
    return b;
  }

  private get clusterBytes(): number {
    return this.bytesPerSector * this.sectorsPerCluster;
  }

  /** The clusters of a chain, guarded against loops in a damaged FAT. */
  private chain(first: number): number[] {
    const out: number[] = [];
    for (
      let c = first;
      c >= 2 && c < END_OF_CHAIN && out.length < 1 << 20;
      c = this.read(this.fatStart + c * 4, 4).readUInt32LE(0) & 0x0fffffff
    )
      out.push(c);
    return out;
  }

  private readChain(first: number, size?: number): Buffer {
    const parts = this.chain(first).map((c) =>
      this.read(this.dataStart + (c - 2) * this.clusterBytes, this.clusterBytes),
    );
    const all = Buffer.concat(parts);
    return size === undefined ? all : all.subarray(0, size);
  }

  /** Entries of a directory (by its first cluster; the root when omitted). */
  list(cluster = this.rootCluster): CardEntry[] {
    const data = this.readChain(cluster);
    const out: CardEntry[] = [];
    let longName: string[] = [];
    for (let at = 0; at + 32 <= data.length; at += 32) {
      const first = data[at];
      if (first === 0) break;
      const attr = data[at + 11];
      if (first === 0xe5) {
        longName = [];
        continue;
      }
      if (attr === ATTR_LONG_NAME) {
        const units = [
          ...data.subarray(at + 1, at + 11),
          ...data.subarray(at + 14, at + 26),
          ...data.subarray(at + 28, at + 32),
        ];
        let part = "";
        for (let i = 0; i < units.length; i += 2) {
          const u = units[i] | (units[i + 1] << 8);
          if (u === 0 || u === 0xffff) break;
          part += String.fromCharCode(u);
        }
        longName[(first & 0x1f) - 1] = part;
        continue;
      }
      if (attr & ATTR_VOLUME) {
        longName = [];
        continue;
      }
      const base = data.toString("latin1", at, at + 8).trimEnd();
      const ext = data.toString("latin1", at + 8, at + 11).trimEnd();
      const name = longName.length ? longName.join("") : ext ? `${base}.${ext}` : base;
      longName = [];
      if (name === "." || name === "..") continue;
      const cl = (data.readUInt16LE(at + 20) << 16) | data.readUInt16LE(at + 26);
      out.push({
        name,
        dir: (attr & ATTR_DIR) !== 0,
        size: data.readUInt32LE(at + 28),
        cluster: cl,
      });
    }
    return out;
  }

  /** The entry at a path such as /LOGS/LOG0001.CSV (names compare case-insensitively), or null. */
  find(filePath: string): CardEntry | null {
    let entry: CardEntry = { name: "/", dir: true, size: 0, cluster: this.rootCluster };
    for (const name of filePath.split("/").filter((p) => p !== "")) {
      if (!entry.dir) return null;
      const next = this.list(entry.cluster).find(
        (e) => e.name.toUpperCase() === name.toUpperCase(),
      );
      if (!next) return null;
      entry = next;
    }
    return entry;
  }

  /** A file's bytes, or null when the card has no such file. */
  readFile(filePath: string): Buffer | null {
    const e = this.find(filePath);
    if (!e || e.dir) return null;
    return e.size === 0 ? Buffer.alloc(0) : this.readChain(e.cluster, e.size);
  }
}

/** Reads one file off a card image (null when it is not there). */
export function readCardFile(imagePath: string, filePath: string): Buffer | null {
  const r = new Fat32Reader(imagePath);
  try {
    return r.readFile(filePath);
  } finally {
    r.close();
  }
}

/** Names in the folder holding `filePath` (for "not found" messages), or null if the folder is missing. */
export function listCardFolder(imagePath: string, filePath: string): string[] | null {
  const r = new Fat32Reader(imagePath);
  try {
    const folder = filePath.split("/").slice(0, -1).join("/");
    const e = r.find(folder);
    return e?.dir ? r.list(e.cluster).map((x) => x.name) : null;
  } finally {
    r.close();
  }
}
