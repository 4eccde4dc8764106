// The host's side of mounting an SD card image for a run, as an OS would mount a FAT32 card:
// FAT[1]'s "clean shutdown" bit (0x08000000, Microsoft FAT specification) is cleared while a
// run has the card and set again when the run ends with the volume consistent. A card found
// with the bit cleared lost power while mounted (a killed run), and is repaired the way
// `fsck.fat -a` would before the firmware sees it:
//  - a chain that runs into a free, out-of-range or already used cluster ends there;
//  - a file whose size runs past its chain is truncated to the chain; clusters past the
//    size are freed (a file of size 0 loses its chain);
//  - clusters marked used that no file or folder reaches (lost clusters) are freed;
//  - every FAT copy becomes the repaired first FAT, and FSInfo gets the true free count (also
//    when it says "unknown", 0xFFFFFFFF: fsck.fat flags that).
// Intact files keep every byte. Only the sectors that change are written (cards are sparse).
import { readSync, writeSync } from "node:fs";

const SECTOR = 512;
const CLEAN_BIT = 0x08000000;
const MASK = 0x0fffffff;
const EOC = 0x0fffffff;
const BAD = 0x0ffffff7;
const ATTR_LONG_NAME = 0x0f,
  ATTR_VOLUME = 0x08,
  ATTR_DIR = 0x10;

interface Volume {
  start: number; // byte offset of the boot sector
  clusterBytes: number;
  fatStart: number; // byte offsets
  fatBytes: number;
  numFats: number;
  dataStart: number;
  clusters: number; // valid cluster numbers: 2..clusters+1
  rootCluster: number;
  fsInfo: number; // byte offset, 0 if none
}

export interface CardCheck {
  /** What was (or would be) repaired, one phrase each; empty for a consistent volume. */
  problems: string[];
  wasClean: boolean;
}

function read(fd: number, at: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, at);
  return b;
}

/** The FAT32 volume on a card already checked by validateCardImage (superfloppy or MBR). */
function findVolume(fd: number): Volume {
  let start = 0;
  let boot = read(fd, 0, SECTOR);
  if (boot.toString("latin1", 82, 87) !== "FAT32") {
    for (let i = 0; i < 4; i++) {
      const e = 446 + i * 16;
      if (boot[e + 4] === 0x0b || boot[e + 4] === 0x0c) {
        start = boot.readUInt32LE(e + 8) * SECTOR;
        break;
      }
    }
    boot = read(fd, start, SECTOR);
  }
  const spc = boot[13],
    reserved = boot.readUInt16LE(14),
    numFats = boot[16];
  const fatSectors = boot.readUInt32LE(36);
  const total = boot.readUInt16LE(19) || boot.readUInt32LE(32);
  const meta = reserved + numFats * fatSectors;
  const fsi = boot.readUInt16LE(48);
  return {
    start,
    clusterBytes: spc * SECTOR,
    fatStart: start + reserved * SECTOR,
    fatBytes: fatSectors * SECTOR,
    numFats,
    dataStart: start + meta * SECTOR,
    clusters: Math.min(Math.floor((total - meta) / spc), fatSectors * 128 - 2),
    rootCluster: boot.readUInt32LE(44),
    fsInfo: fsi > 0 && fsi < reserved ? start + fsi * SECTOR : 0,
  };
}

/**
 * Checks the volume and, when `repair` or when it is consistent, writes it back with FAT[1]'s
 * clean bit cleared (`mounted`, a run holds the card) or set (the run ended).
 */
function checkVolume(fd: number, repair: boolean, mounted: boolean): CardCheck {
  const v = findVolume(fd);
  const copies = Array.from({ length: v.numFats }, (_, i) =>
    read(fd, v.fatStart + i * v.fatBytes, v.fatBytes),
  );
  const fatBuf = Buffer.from(copies[0]);
  const fat = new Uint32Array(fatBuf.buffer, fatBuf.byteOffset, fatBuf.length >>> 2);
  const wasClean = (fat[1] & CLEAN_BIT) !== 0;
  const problems: string[] = [];
  const used = new Uint8Array(v.clusters + 2);
  const valid = (c: number) => c >= 2 && c <= v.clusters + 1;
  const dirWrites: { at: number; buf: Buffer }[] = [];
  let brokenChains = 0,
    freedTails = 0;
  const truncated: string[] = [];

  /** A chain's clusters; a link to a free, invalid or already used cluster ends the chain there. */
  const chain = (first: number): number[] => {
    const out: number[] = [];
    let c = first;
    while (valid(c) && !used[c] && fat[c] !== 0 && fat[c] !== BAD) {
      used[c] = 1;
      out.push(c);
      const next = fat[c] & MASK;
      if (next >= 0x0ffffff8) return out;
      c = next;
    }
    if (out.length) {
      brokenChains++;
      fat[out[out.length - 1]] = EOC;
    }
    return out;
  };

  const walkDir = (first: number, where: string, depth: number): void => {
    for (const c of chain(first)) {
      const at = v.dataStart + (c - 2) * v.clusterBytes;
      const buf = read(fd, at, v.clusterBytes);
      let dirty = false;
      let longName = "";
      let end = false;
      for (let o = 0; o < buf.length && !end; o += 32) {
        const lead = buf[o];
        const attr = buf[o + 11];
        if (lead === 0) {
          end = true;
          break;
        }
        if (lead === 0xe5) {
          longName = "";
          continue;
        }
        if (attr === ATTR_LONG_NAME) {
          const part =
            buf.toString("utf16le", o + 1, o + 11) +
            buf.toString("utf16le", o + 14, o + 26) +
            buf.toString("utf16le", o + 28, o + 32);
          longName = part + (lead & 0x40 ? "" : longName);
          continue;
        }
        if (attr & ATTR_VOLUME) {
          longName = "";
          continue;
        }
        const ext = buf.toString("latin1", o + 8, o + 11).trimEnd();
        const short = buf.toString("latin1", o, o + 8).trimEnd() + (ext ? `.${ext}` : "");
        const name = `${where}${longName.split("\0")[0] || short}`;
        longName = "";
        if (short === "." || short === "..") continue;
        const start = (buf.readUInt16LE(o + 20) << 16) | buf.readUInt16LE(o + 26);
        if (attr & ATTR_DIR) {
          if (depth < 32 && valid(start) && !used[start]) walkDir(start, `${name}/`, depth + 1);
          continue;
        }
        const size = buf.readUInt32LE(o + 28);
        const cs = start ? chain(start) : [];
        const need = Math.ceil(size / v.clusterBytes);
        if (cs.length * v.clusterBytes < size) {
          // The size runs past the chain: what the chain holds is all there is.
          buf.writeUInt32LE(cs.length * v.clusterBytes, o + 28);
          truncated.push(name);
          dirty = true;
        } else if (cs.length > need) {
          // Clusters past the size (allocated, the size never written): freed, as fsck.fat does.
          for (const x of cs.slice(need)) {
            fat[x] = 0;
            used[x] = 0;
          }
          if (need > 0) fat[cs[need - 1]] = EOC;
          freedTails++;
        }
        if (start !== 0 && (cs.length === 0 || need === 0) && buf.readUInt32LE(o + 28) === 0) {
          buf.writeUInt16LE(0, o + 20);
          buf.writeUInt16LE(0, o + 26);
          dirty = true;
        }
      }
      if (dirty) dirWrites.push({ at, buf });
      if (end) return;
    }
  };
  walkDir(v.rootCluster, "/", 0);

  let lost = 0;
  for (let c = 2; c <= v.clusters + 1; c++)
    if (!used[c] && fat[c] !== 0 && fat[c] !== BAD) {
      fat[c] = 0;
      lost++;
    }
  const s = (n: number) => (n === 1 ? "" : "s");
  if (truncated.length)
    problems.push(
      `truncated ${truncated.length} file${s(truncated.length)} to the cluster chain (${truncated.slice(0, 3).join(", ")}${truncated.length > 3 ? ", ..." : ""})`,
    );
  if (freedTails)
    problems.push(`freed the clusters past the size of ${freedTails} file${s(freedTails)}`);
  if (brokenChains) problems.push(`ended ${brokenChains} broken cluster chain${s(brokenChains)}`);
  if (lost) problems.push(`freed ${lost} lost cluster${s(lost)}`);
  // The copies as found, ignoring the clean bit (it changes on every mount and unmount).
  const withoutBit = (b: Buffer) => {
    const x = Buffer.from(b.subarray(0, SECTOR));
    x.writeUInt32LE(x.readUInt32LE(4) & ~CLEAN_BIT, 4);
    return x;
  };
  if (
    copies.some(
      (c, i) =>
        i > 0 &&
        (!withoutBit(c).equals(withoutBit(copies[0])) ||
          c.compare(copies[0], SECTOR, c.length, SECTOR, c.length) !== 0),
    )
  )
    problems.push("made the FAT copies equal");

  let freeCount = 0;
  for (let c = 2; c <= v.clusters + 1; c++) if (fat[c] === 0) freeCount++;
  let info: Buffer | null = null;
  if (v.fsInfo) {
    const b = read(fd, v.fsInfo, SECTOR);
    const was = b.readUInt32LE(488);
    if (
      b.readUInt32LE(0) === 0x41615252 &&
      b.readUInt32LE(484) === 0x61417272 &&
      was !== freeCount
    ) {
      // A stale or unknown hint: corrected, but not damage. The firmware marks the count
      // unknown (0xFFFFFFFF) before it writes the FAT and stores the new one after, so a kill in
      // between leaves "unknown", which fsck.fat reports ("Free cluster summary uninitialized").
      b.writeUInt32LE(freeCount, 488);
      info = b;
    }
  }
  if (!repair && problems.length) return { problems, wasClean };

  fat[1] = (mounted ? fat[1] & ~CLEAN_BIT : fat[1] | CLEAN_BIT) >>> 0;
  for (const w of dirWrites) writeSync(fd, w.buf, 0, w.buf.length, w.at);
  // Every copy becomes the (repaired) first FAT, sector by sector where they differ.
  copies.forEach((copy, i) => {
    for (let o = 0; o < v.fatBytes; o += SECTOR) {
      if (copy.compare(fatBuf, o, o + SECTOR, o, o + SECTOR) !== 0)
        writeSync(fd, fatBuf, o, SECTOR, v.fatStart + i * v.fatBytes + o);
    }
  });
  if (info) writeSync(fd, info, 0, SECTOR, v.fsInfo);
  return { problems, wasClean };
}

/** Mounts a card for a run (FAT[1]'s clean bit cleared); a card that was not cleanly
 *  unmounted is repaired first. Returns the line to print about it, or null. */
export function mountCard(fd: number, file: string): string | null {
  const v = findVolume(fd);
  const wasClean = (read(fd, v.fatStart + 4, 4).readUInt32LE(0) & CLEAN_BIT) !== 0;
  const r = checkVolume(fd, !wasClean, true);
  if (wasClean && r.problems.length === 0) return null;
  // Damage on a card marked clean (another tool's doing) is repaired the same way.
  const fixed = wasClean ? checkVolume(fd, true, true) : r;
  const what = fixed.problems.length ? fixed.problems.join(", ") : "nothing was damaged";
  return wasClean
    ? `sdcard: card was marked clean but damaged: repaired ${file}: ${what}`
    : `sdcard: card was not cleanly unmounted: repaired ${file}: ${what}`;
}

/** Unmounts after a run: sets the clean bit if the volume is consistent, else leaves it
 *  cleared for the next mount's repair. Returns whether it was consistent. */
export function unmountCard(fd: number): boolean {
  return checkVolume(fd, false, false).problems.length === 0;
}
