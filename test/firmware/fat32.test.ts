// FAT32 file system (firmware/fat32/) and the host formatter (emulator/sdcard/format-fat32.ts),
// checked against real tools: mtools (mdir, mcopy, mmd) and dosfstools (fsck.fat, mkfs.fat).
import test, { type ExecutionContext } from "ava";
import {
  closeSync, copyFileSync, fstatSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync,
} from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import {
  compileProgram, instantiate, ImageCard, PowerCut, TOOLS_MISSING, fsck, mdirSizes, mcopyIn, mcopyOut, run,
  type Firmware,
} from "../helpers/fat-harness.ts";
import { createFat32Image, fat32Layout, formatFat32, FAT32_MIN_CLUSTERS } from "../../emulator/sdcard/format-fat32.ts";

const PROGRAM = "test/firmware/fat-progs/fs-shim.ts";
const MiB = 1024 * 1024;

// Error codes of firmware/fat32/errors.ts.
const ERR = {
  NO_FS: -3, BAD_FS: -4, UNSUPPORTED: -5, NOT_MOUNTED: -6, INVALID_NAME: -7, NOT_FOUND: -8, EXISTS: -9,
  NOT_DIR: -10, IS_DIR: -11, FULL: -12, TOO_MANY_OPEN: -13, BAD_HANDLE: -14, BAD_MODE: -15, BUSY: -16,
} as const;

// Tool-based tests are skipped (with the reason in their title) only when a tool is missing.
const toolsNote = TOOLS_MISSING.length ? ` [SKIPPED: ${TOOLS_MISSING.join(", ")} not installed; apt-get install mtools dosfstools]` : "";
const toolTest = (title: string, fn: (t: ExecutionContext) => Promise<void> | void) =>
  (TOOLS_MISSING.length ? test.skip : test)(title + toolsNote, fn);
if (TOOLS_MISSING.length) console.warn(`fat32.test.ts: skipping tool-based tests, missing: ${TOOLS_MISSING.join(", ")}`);

function tmpDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-fat-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The CSV the firmware's writeCsv(h, first, count) produces. */
function csv(first: number, count: number): Buffer {
  let s = "";
  for (let i = first; i < first + count; i++) s += `${i},${(i * i) % 9973},s${i % 7}\n`;
  return Buffer.from(s);
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The test program's exports with TypeScript-side conveniences. */
class Fs {
  constructor(readonly fw: Firmware) {}
  private get e() { return this.fw.exports; }
  get io(): Uint8Array { return new Uint8Array(this.fw.memory.buffer, this.e.ioBuffer(), this.e.ioSize()); }
  private p(s: string): number {
    const b = Buffer.from(s, "utf8");
    this.io.set(b);
    return b.length;
  }
  get READ(): number { return this.e.MODE_READ.value; }
  get WRITE(): number { return this.e.MODE_WRITE.value; }
  get APPEND(): number { return this.e.MODE_APPEND.value; }
  mount(): number { return this.e.fsMount(); }
  unmount(): number { return this.e.fsUnmount(); }
  setClock(y: number, mo: number, d: number, h: number, mi: number, s: number): number { return this.e.fsSetClock(y, mo, d, h, mi, s); }
  mkdir(s: string): number { return this.e.fsMkdir(this.p(s)); }
  open(s: string, mode: number): number { return this.e.fsOpen(this.p(s), mode); }
  exists(s: string): boolean { return this.e.fsExists(this.p(s)) !== 0; }
  fileSize(s: string): number { return Number(this.e.fsFileSize(this.p(s))); }
  remove(s: string): number { return this.e.fsRemove(this.p(s)); }
  freeSpace(): number { return Number(this.e.fsFreeSpace()); }
  sync(h: number): number { return this.e.fsSync(h); }
  close(h: number): number { return this.e.fsClose(h); }
  writeCsv(h: number, first: number, count: number): number { return this.e.writeCsv(h, first, count); }
  /** write() `data` in calls of `chunk` bytes; returns the total or the first error. */
  write(h: number, data: Uint8Array, chunk = data.length): number {
    let done = 0;
    const max = this.e.ioSize();
    while (done < data.length) {
      const n = Math.min(chunk, max, data.length - done);
      this.io.set(data.subarray(done, done + n));
      const r = this.e.fsWrite(h, 0, n);
      if (r < 0) return r;
      if (r !== n) throw new Error(`short write ${r}/${n}`);
      done += n;
    }
    return done;
  }
  /** read() until the end in calls of `chunk` bytes. */
  readAll(h: number, chunk = 4096): Buffer {
    const parts: Buffer[] = [];
    for (;;) {
      const r = this.e.fsRead(h, 0, chunk);
      if (r < 0) throw new Error(`read error ${r}`);
      if (r === 0) return Buffer.concat(parts);
      parts.push(Buffer.from(this.io.subarray(0, r)));
    }
  }
  readFile(s: string, chunk = 4096): Buffer {
    const h = this.open(s, this.READ);
    if (h < 0) throw new Error(`open ${s}: ${h}`);
    const data = this.readAll(h, chunk);
    this.close(h);
    return data;
  }
  /** The firmware's own read loop (50-byte reads) printing to the console. */
  cat(s: string): { n: number; text: string } {
    this.fw.console.length = 0;
    const n = this.e.catFile(this.p(s));
    return { n, text: this.fw.console.join("") };
  }
}

async function boot(image: string): Promise<{ fs: Fs; card: ImageCard }> {
  const card = new ImageCard(image);
  const fw = await instantiate(await compileProgram(PROGRAM), card);
  return { fs: new Fs(fw), card };
}

/** fsck.fat -n must exit 0 and print nothing but its banner and the summary line. */
function assertFsckClean(t: ExecutionContext, image: string): void {
  const r = fsck(image);
  const lines = r.stdout.split("\n").filter((l) => l && !l.startsWith("fsck.fat ") && !/: \d+ files, \d+\/\d+ clusters$/.test(l));
  t.is(r.status, 0, `fsck.fat -n ${image}:\n${r.stdout}${r.stderr}`);
  t.deepEqual(lines, [], `fsck.fat -n reported:\n${r.stdout}`);
}

function readSector(image: string, lba: number): Buffer {
  const b = Buffer.alloc(512);
  const fd = openSync(image, "r");
  readSync(fd, b, 0, 512, lba * 512);
  closeSync(fd);
  return b;
}

/** Copy the card from sector `startLba` on into `dest` (sparse: zero MiB are left as holes), for fsck.fat. */
function extractVolume(image: string, startLba: number, dest: string): void {
  const src = openSync(image, "r");
  const out = openSync(dest, "w");
  const size = fstatSync(src).size - startLba * 512;
  ftruncateSync(out, size);
  const chunk = Buffer.alloc(MiB);
  for (let off = 0; off < size; off += MiB) {
    const n = readSync(src, chunk, 0, Math.min(MiB, size - off), startLba * 512 + off);
    if (chunk.subarray(0, n).some((x) => x !== 0)) writeSync(out, chunk, 0, n, off);
  }
  closeSync(src);
  closeSync(out);
}

function mcopyBytes(t: ExecutionContext, image: string, src: string): Buffer {
  const out = path.join(tmpDir(t), "out.bin");
  mcopyOut(image, src, out);
  return readFileSync(out);
}

// ---------------------------------------------------------------------------------------
// Host formatter

test("formatter layout: FAT32 cluster counts and deterministic output", (t) => {
  for (const size of [40 * MiB, 64 * MiB, 300 * MiB, 1024 * MiB, 8192 * MiB, 64 * 1024 * MiB]) {
    const l = fat32Layout(size);
    t.true(l.clusterCount >= FAT32_MIN_CLUSTERS, `${size}: ${l.clusterCount} clusters`);
    t.true((l.clusterCount + 2) * 4 <= l.fatSectors * 512, "FAT holds every cluster");
    t.is(l.dataStart % l.sectorsPerCluster, 0, "data region cluster-aligned");
    t.is(l.dataStart + l.clusterCount * l.sectorsPerCluster <= l.volumeSectors, true);
  }
  t.is(fat32Layout(64 * MiB).sectorsPerCluster, 1);
  t.is(fat32Layout(1024 * MiB).sectorsPerCluster, 8);
  t.throws(() => fat32Layout(16 * MiB), { instanceOf: RangeError });
  t.throws(() => fat32Layout(64 * MiB, { label: "BAD*LABEL" }), { instanceOf: RangeError });
  t.is(sha(formatFat32(64 * MiB, { label: "x" })), sha(formatFat32(64 * MiB, { label: "x" })));
  t.not(sha(formatFat32(64 * MiB)), sha(formatFat32(64 * MiB, { volumeId: 1 })));
});

toolTest("formatter: blank images pass fsck.fat -n and list with mdir", (t) => {
  const dir = tmpDir(t);
  const plain = path.join(dir, "plain.img");
  createFat32Image(plain); // 64 MiB default
  assertFsckClean(t, plain);
  const ls = run("mdir", ["-i", plain, "::"]);
  t.is(ls.status, 0, ls.stderr);
  t.regex(ls.stdout, /No files/);
  t.regex(ls.stdout, /Volume Serial Number is 5449-4E59/);

  const labeled = path.join(dir, "label.img");
  createFat32Image(labeled, 64 * MiB, { label: "tinyboard" });
  assertFsckClean(t, labeled);
  t.regex(run("mdir", ["-i", labeled, "::"]).stdout, /Volume in drive : is TINYBOARD/);

  const big = path.join(dir, "big.img"); // sparse: 1 GiB, 4 KiB clusters
  const l = createFat32Image(big, 1024 * MiB);
  t.is(l.sectorsPerCluster, 8);
  assertFsckClean(t, big);

  // Partitioned: MBR + volume at 1 MiB. fsck.fat has no offset option: check the partition alone.
  const part = path.join(dir, "part.img");
  const pl = createFat32Image(part, 64 * MiB, { partitioned: true });
  const mbr = readSector(part, 0);
  t.is(mbr[446 + 4], 0x0c);
  t.is(mbr.readUInt32LE(446 + 8), pl.volumeStart);
  t.is(run("mdir", ["-i", `${part}@@${pl.volumeStart * 512}`, "::"]).status, 0);
  const vol = path.join(dir, "vol.img");
  extractVolume(part, pl.volumeStart, vol);
  assertFsckClean(t, vol);
});

// ---------------------------------------------------------------------------------------
// Firmware on a formatter image

const APPEND_PIECES = [300, 700, 1500, 5000, 10, 512, 4096 + 17];

/** Mount, make /LOGS and write the standard set of files. Returns the expected contents. */
function writeStandardFiles(t: ExecutionContext, fs: Fs): Map<string, Buffer> {
  const want = new Map<string, Buffer>();
  t.is(fs.mount(), 0);
  t.is(fs.setClock(2025, 6, 30, 12, 34, 56), 0);
  t.is(fs.mkdir("/LOGS"), 0);
  t.is(fs.mkdir("/LOGS"), 0, "existing directory is ok");

  // DATA.CSV: many clusters, written line by line by the firmware's own formatter.
  let h = fs.open("/LOGS/data.csv", fs.WRITE); // lower case is upper-cased to DATA.CSV
  t.true(h >= 0, `open: ${h}`);
  t.is(fs.writeCsv(h, 0, 2000), 0);
  t.is(fs.sync(h), 0);
  t.is(fs.writeCsv(h, 2000, 2500), 0);
  t.is(fs.close(h), 0);
  want.set("DATA.CSV", csv(0, 4500));

  // BLOB.BIN: large writes (whole sectors go straight to the card) in odd chunk sizes.
  const blob = bytes(150_000, 7);
  h = fs.open("/LOGS/BLOB.BIN", fs.WRITE);
  t.is(fs.write(h, blob, 20_011), blob.length);
  t.is(fs.close(h), 0);
  want.set("BLOB.BIN", blob);

  // APPEND.TXT: appended over several open/close cycles.
  const parts: Buffer[] = [];
  APPEND_PIECES.forEach((n, k) => {
    const piece = bytes(n, 100 + k);
    const ha = fs.open("/LOGS/APPEND.TXT", fs.APPEND);
    t.true(ha >= 0);
    t.is(fs.write(ha, piece, 333), n);
    t.is(fs.close(ha), 0);
    parts.push(piece);
    t.is(fs.fileSize("/LOGS/APPEND.TXT"), Buffer.concat(parts).length);
  });
  want.set("APPEND.TXT", Buffer.concat(parts));

  // A long name (VFAT entries + BASIS~N alias) and an empty file.
  h = fs.open("/LOGS/Sensor readings 2025.log", fs.WRITE);
  t.true(h >= 0);
  const text = Buffer.from("long file names work\n".repeat(40));
  t.is(fs.write(h, text), text.length);
  t.is(fs.close(h), 0);
  want.set("Sensor readings 2025.log", text);
  h = fs.open("/LOGS/EMPTY.DAT", fs.WRITE);
  t.is(fs.close(h), 0);
  want.set("EMPTY.DAT", Buffer.alloc(0));
  return want;
}

toolTest("firmware writes files that mtools and fsck.fat accept (512 B clusters)", async (t) => {
  const img = path.join(tmpDir(t), "card.img");
  createFat32Image(img, 64 * MiB, { label: "TINYBOARD" });
  const { fs, card } = await boot(img);
  const want = writeStandardFiles(t, fs);
  t.is(fs.unmount(), 0);
  card.close();

  const listed = mdirSizes(img, "::/LOGS");
  for (const [name, data] of want) t.is(listed.get(name), data.length, `mdir size of ${name}`);
  for (const [name, data] of want) {
    if (data.length) t.is(sha(mcopyBytes(t, img, `::/LOGS/${name}`)), sha(data), `mcopy ${name}`);
  }
  t.deepEqual(mcopyBytes(t, img, "::/LOGS/DATA.CSV"), want.get("DATA.CSV"));
  t.regex(run("mdir", ["-i", img, "::/LOGS"]).stdout, /DATA {5}CSV +\d+ 2025-06-30 +12:34/);
  assertFsckClean(t, img);

  // Remount: the firmware reads everything back (odd read sizes and its own 50-byte loop).
  const again = await boot(img);
  t.is(again.fs.mount(), 0);
  for (const [name, data] of want) {
    t.is(sha(again.fs.readFile(`/LOGS/${name}`, 777)), sha(data), `firmware read ${name}`);
  }
  const cat = again.fs.cat("/logs/append.txt");
  t.is(cat.n, want.get("APPEND.TXT")!.length);
  again.card.close();
});

toolTest("firmware works with 4 KiB clusters and a partitioned card", async (t) => {
  const img = path.join(tmpDir(t), "card.img");
  const l = createFat32Image(img, 300 * MiB, { partitioned: true });
  t.is(l.sectorsPerCluster, 8);
  const { fs, card } = await boot(img);
  const want = writeStandardFiles(t, fs);
  const free = fs.freeSpace();
  t.is(free % 4096, 0);
  t.is(fs.unmount(), 0);
  card.close();
  const vol = `${img}@@${l.volumeStart * 512}`;
  const listed = mdirSizes(vol, "::/LOGS");
  for (const [name, data] of want) t.is(listed.get(name), data.length, `mdir size of ${name}`);
  for (const [name, data] of want) {
    if (data.length) t.is(sha(mcopyBytes(t, vol, `::/LOGS/${name}`)), sha(data), `mcopy ${name}`);
  }
  const volImg = path.join(tmpDir(t), "vol.img");
  extractVolume(img, l.volumeStart, volImg);
  assertFsckClean(t, volImg);
  t.regex(run("mdir", ["-i", vol, "::"]).stdout, new RegExp(`${free.toLocaleString("en").replace(/,/g, " ")} bytes free`));
});

toolTest("firmware reads files written by mtools", async (t) => {
  const dir = tmpDir(t);
  const img = path.join(dir, "card.img");
  createFat32Image(img);
  const local = path.join(dir, "local.txt");
  const text = Buffer.from(Array.from({ length: 400 }, (_, i) => `mtools line ${i}\n`).join(""));
  writeFileSync(local, text);
  mcopyIn(img, local, "::/IN.TXT");
  t.is(run("mmd", ["-i", img, "::/Data Folder"]).status, 0);
  const blob = bytes(70_001, 3);
  writeFileSync(path.join(dir, "blob"), blob);
  mcopyIn(img, path.join(dir, "blob"), "::/Data Folder/Measurement Series.bin");

  const { fs, card } = await boot(img);
  t.is(fs.mount(), 0);
  t.true(fs.exists("/IN.TXT"));
  t.true(fs.exists("/in.txt"));
  t.is(fs.fileSize("/IN.TXT"), text.length);
  const cat = fs.cat("/IN.TXT");
  t.is(cat.n, text.length);
  t.is(cat.text, text.toString());
  t.true(fs.exists("/data folder"), "long directory name, any case");
  t.is(sha(fs.readFile("/Data Folder/Measurement Series.bin", 1000)), sha(blob));
  // Append to the mtools file, then let mtools read it back.
  const h = fs.open("/IN.TXT", fs.APPEND);
  t.is(fs.write(h, Buffer.from("firmware line\n")), 14);
  t.is(fs.close(h), 0);
  card.close();
  t.deepEqual(mcopyBytes(t, img, "::/IN.TXT"), Buffer.concat([text, Buffer.from("firmware line\n")]));
  assertFsckClean(t, img);
});

for (const partitioned of [false, true]) {
  toolTest(`card formatted by mkfs.fat -F 32 (${partitioned ? "MBR partition" : "superfloppy"})`, async (t) => {
    const dir = tmpDir(t);
    const img = path.join(dir, "mkfs.img");
    const size = 64 * MiB;
    const fd = openSync(img, "w");
    ftruncateSync(fd, size);
    const start = 2048;
    if (partitioned) { // our own MBR: one type 0x0C partition at 1 MiB
      const mbr = Buffer.alloc(512);
      mbr.set([0x00, 0xfe, 0xff, 0xff, 0x0c, 0xfe, 0xff, 0xff], 446);
      mbr.writeUInt32LE(start, 446 + 8);
      mbr.writeUInt32LE(size / 512 - start, 446 + 12);
      mbr.writeUInt16LE(0xaa55, 510);
      writeSync(fd, mbr, 0, 512, 0);
    }
    closeSync(fd);
    const args = ["-F", "32", "-i", "12345678", "-n", "MKFS"];
    const mk = partitioned
      ? run("mkfs.fat", [...args, "--offset", String(start), img, String((size / 512 - start) / 2)])
      : run("mkfs.fat", [...args, img]);
    t.is(mk.status, 0, mk.stderr);
    const vol = partitioned ? `${img}@@${start * 512}` : img;

    const { fs, card } = await boot(img);
    const want = writeStandardFiles(t, fs);
    t.is(fs.unmount(), 0);
    card.close();
    for (const [name, data] of want) {
      if (data.length) t.is(sha(mcopyBytes(t, vol, `::/LOGS/${name}`)), sha(data), `mcopy ${name}`);
    }
    const volImg = path.join(dir, "vol.img");
    extractVolume(img, partitioned ? start : 0, volImg);
    assertFsckClean(t, volImg);
  });
}

// ---------------------------------------------------------------------------------------
// Power cuts

const FIRST = csv(0, 3000); // closed before the cut

/** Phase 2, interrupted at some block write: a second file with syncs, a directory, an append. */
function secondPhase(fs: Fs): void {
  const h = fs.open("/LOGS/SECOND.BIN", fs.WRITE);
  if (h < 0) throw new Error(`open: ${h}`);
  const data = bytes(40_000, 99);
  for (let k = 0; k < 8; k++) {
    fs.write(h, data.subarray(k * 5000, (k + 1) * 5000), 1234);
    if (k % 3 === 2) fs.sync(h);
  }
  fs.close(h);
  fs.mkdir("/LOGS/SUB");
  for (let k = 0; k < 3; k++) {
    const ha = fs.open("/LOGS/THIRD.TXT", fs.APPEND);
    fs.writeCsv(ha, k * 100, 100);
    fs.close(ha);
  }
}

toolTest("power cut while writing a second file never damages the closed first file", async (t) => {
  const dir = tmpDir(t);
  const base = path.join(dir, "base.img");
  createFat32Image(base, 40 * MiB);
  {
    const { fs, card } = await boot(base);
    t.is(fs.mount(), 0);
    t.is(fs.mkdir("/LOGS"), 0);
    const h = fs.open("/LOGS/FIRST.CSV", fs.WRITE);
    t.is(fs.writeCsv(h, 0, 3000), 0);
    t.is(fs.close(h), 0);
    card.close();
  }
  assertFsckClean(t, base);

  // How many blocks does phase 2 write without a cut?
  const full = path.join(dir, "full.img");
  copyFileSync(base, full);
  let total: number;
  {
    const { fs, card } = await boot(full);
    t.is(fs.mount(), 0);
    const before = card.blocksWritten;
    secondPhase(fs);
    total = card.blocksWritten - before;
    card.close();
  }
  assertFsckClean(t, full);
  t.true(total > 50, `phase 2 wrote ${total} blocks`);

  // Cut points: the first few blocks, then every `step`-th block, and the last few.
  const cuts = new Set<number>();
  const step = Math.max(1, Math.floor(total / 24));
  for (let n = 0; n < 8; n++) cuts.add(n);
  for (let n = 0; n < total; n += step) cuts.add(n);
  for (let n = total - 4; n < total; n++) cuts.add(n);
  const reports = new Set<string>();
  for (const n of [...cuts].sort((a, b) => a - b)) {
    const img = path.join(dir, `cut.img`);
    copyFileSync(base, img);
    const { fs, card } = await boot(img);
    t.is(fs.mount(), 0);
    card.powerCutAfter = card.blocksWritten + n;
    t.throws(() => secondPhase(fs), { instanceOf: PowerCut }, `cut after ${n} blocks`);
    card.close();

    // The first file is intact for mtools...
    t.deepEqual(mcopyBytes(t, img, "::/LOGS/FIRST.CSV"), FIRST, `FIRST.CSV after cut at ${n}`);
    // ...and fsck.fat reports nothing about it. Every line it prints must be one of these,
    // all about the files being written when the power failed (seen when sweeping every
    // cut point of this scenario):
    //  - "FATs differ but appear to be intact. / Using first FAT." (cut between the two FAT
    //    copies; FAT 1 is written first, so it is the newer one);
    //  - "Reclaimed N unused clusters" (data and FAT of SECOND.BIN / SUB on the card, the
    //    directory entry not yet);
    //  - "/LOGS/SECOND.BIN (or THIRD.TXT): File size is N bytes, cluster chain length is > N
    //    bytes. Truncating" (chain grown past the size stored at the last sync);
    //  - "Free cluster summary uninitialized" (FSInfo says "unknown" while the FAT is being
    //    changed; this one alone leaves the exit code 0).
    const r = fsck(img);
    const allowed = [
      /^fsck\.fat \d/, /: \d+ files, \d+\/\d+ clusters$/, /^FATs differ but appear to be intact\.$/, /^\s+Using first FAT\.$/,
      /^Reclaimed \d+ unused clusters? \(\d+ bytes\)\.$/, /^\/LOGS\/(SECOND\.BIN|THIRD\.TXT)$/,
      /^\s+File size is \d+ bytes, cluster chain length is > \d+ bytes\.$/, /^\s+Truncating file to \d+ bytes\.$/,
      /^Free cluster summary uninitialized \(should be \d+\)$/, /^Leaving filesystem unchanged\.$/,
    ];
    const unexpected = r.stdout.split("\n").filter((l) => l && !allowed.some((re) => re.test(l)));
    t.deepEqual(unexpected, [], `fsck.fat -n after cut at ${n}:\n${r.stdout}`);
    t.false(/FIRST/.test(r.stdout));
    t.true(r.status === 0 || r.status === 1, `fsck exit ${r.status}`);
    for (const l of r.stdout.split("\n")) {
      if (l && !/^fsck\.fat|clusters$|^Leaving/.test(l)) reports.add(l.trim().replace(/\d+/g, "N"));
    }

    // The firmware itself still mounts the card, reads the first file and can go on writing.
    const again = await boot(img);
    t.is(again.fs.mount(), 0);
    t.deepEqual(again.fs.readFile("/LOGS/FIRST.CSV"), FIRST);
    const h = again.fs.open("/LOGS/AFTER.TXT", again.fs.WRITE);
    t.is(again.fs.write(h, Buffer.from("after the cut\n")), 14);
    t.is(again.fs.close(h), 0);
    again.card.close();

    // fsck.fat -a repairs what the cut left; the result is clean and FIRST.CSV unchanged.
    run("fsck.fat", ["-a", img]);
    assertFsckClean(t, img);
    t.deepEqual(mcopyBytes(t, img, "::/LOGS/FIRST.CSV"), FIRST);
  }
  t.log(`phase 2 = ${total} block writes; cuts at ${cuts.size} points; fsck reported: ${[...reports].join(" | ") || "nothing"}`);
});

// ---------------------------------------------------------------------------------------
// Bad input and API errors

test("mount rejects blank and corrupt cards with an error code (no trap)", async (t) => {
  const dir = tmpDir(t);
  const img = path.join(dir, "bad.img");
  createFat32Image(img, 64 * MiB); // sparse; each case rewrites sector 0 only
  const good = readSector(img, 0);
  const cases: Array<[string, (b: Buffer) => void, number[]]> = [
    ["all zero", (b) => b.fill(0, 0, 512), [ERR.NO_FS]],
    ["no 0x55AA signature", (b) => b.writeUInt16LE(0, 510), [ERR.NO_FS]],
    ["bytes per sector 0", (b) => b.writeUInt16LE(0, 11), [ERR.NO_FS]],
    ["sectors per cluster 3", (b) => { b[13] = 3; }, [ERR.NO_FS]],
    ["sectors per cluster 0", (b) => { b[13] = 0; }, [ERR.NO_FS]],
    ["no FATs", (b) => { b[16] = 0; }, [ERR.NO_FS]],
    ["FAT size 0", (b) => b.writeUInt32LE(0, 36), [ERR.BAD_FS]],
    ["FAT too small", (b) => b.writeUInt32LE(10, 36), [ERR.BAD_FS]],
    ["volume larger than card", (b) => b.writeUInt32LE(0xfffffff0, 32), [ERR.BAD_FS]],
    ["total sectors 0", (b) => b.writeUInt32LE(0, 32), [ERR.BAD_FS]],
    ["root cluster 0", (b) => b.writeUInt32LE(0, 44), [ERR.BAD_FS]],
    ["root cluster past the end", (b) => b.writeUInt32LE(0x0fffffff, 44), [ERR.BAD_FS]],
    ["FATs larger than the volume", (b) => b.writeUInt32LE(0x01000000, 36), [ERR.BAD_FS]],
    ["FAT16 BPB (root entries)", (b) => b.writeUInt16LE(512, 17), [ERR.UNSUPPORTED]],
    ["4096-byte sectors", (b) => b.writeUInt16LE(4096, 11), [ERR.UNSUPPORTED]],
    ["random bytes", (b) => bytes(512, 42).copy(b, 0), [ERR.NO_FS]],
    ["MBR partition past the card", (b) => {
      b.fill(0, 0, 512);
      b[446 + 4] = 0x0c;
      b.writeUInt32LE(0x7fffffff, 446 + 8);
      b.writeUInt16LE(0xaa55, 510);
    }, [ERR.BAD_FS]],
    ["MBR with a FAT16 partition only", (b) => {
      b.fill(0, 0, 512);
      b[446 + 4] = 0x06;
      b.writeUInt32LE(2048, 446 + 8);
      b.writeUInt16LE(0xaa55, 510);
    }, [ERR.UNSUPPORTED]],
    ["MBR partition without a boot sector", (b) => {
      b.fill(0, 0, 512);
      b[446 + 4] = 0x0c;
      b.writeUInt32LE(4096, 446 + 8);
      b.writeUInt16LE(0xaa55, 510);
    }, [ERR.NO_FS]],
  ];
  const putSector0 = (b: Buffer) => {
    const fd = openSync(img, "r+");
    writeSync(fd, b, 0, 512, 0);
    closeSync(fd);
  };
  for (const [name, corrupt, codes] of cases) {
    const b = Buffer.from(good);
    corrupt(b);
    putSector0(b);
    const { fs, card } = await boot(img);
    const r = fs.mount();
    t.true(codes.includes(r), `${name}: mount() = ${r}, want ${codes.join(" or ")}`);
    t.is(fs.open("/X.TXT", fs.WRITE), ERR.NOT_MOUNTED, `${name}: nothing works unmounted`);
    card.close();
  }
  // A corrupt FAT chain is reported when reading, not trapped on.
  putSector0(good);
  {
    const { fs, card } = await boot(img);
    t.is(fs.mount(), 0);
    const h = fs.open("/F.BIN", fs.WRITE);
    t.is(fs.write(h, bytes(3000, 1)), 3000);
    t.is(fs.close(h), 0);
    card.close();
  }
  const l = fat32Layout(64 * MiB);
  // F.BIN starts at cluster 3: point its link past the last cluster in both FATs.
  const fd = openSync(img, "r+");
  const link = Buffer.alloc(4);
  link.writeUInt32LE(0x0abcdef0);
  for (let f = 0; f < 2; f++) writeSync(fd, link, 0, 4, (l.reservedSectors + f * l.fatSectors) * 512 + 3 * 4);
  closeSync(fd);
  {
    const { fs, card } = await boot(img);
    t.is(fs.mount(), 0);
    const h = fs.open("/F.BIN", fs.READ);
    t.true(h >= 0);
    t.is(fs.fw.exports.fsRead(h, 0, 3000), 512, "the first cluster reads");
    t.is(fs.fw.exports.fsRead(h, 0, 3000), ERR.BAD_FS, "then the broken link is reported");
    card.close();
  }
});

toolTest("API errors, remove, truncate, directory growth, long names", async (t) => {
  const img = path.join(tmpDir(t), "card.img");
  createFat32Image(img);
  const { fs, card } = await boot(img);
  t.is(fs.mkdir("/A"), ERR.NOT_MOUNTED);
  t.is(fs.mount(), 0);
  const free0 = fs.freeSpace();
  t.is(free0, fat32Layout(64 * MiB).clusterCount * 512 - 512);
  t.is(fs.mkdir("/LOGS"), 0);
  t.is(fs.open("/NOPE.TXT", fs.READ), ERR.NOT_FOUND);
  t.is(fs.open("/NODIR/X.TXT", fs.WRITE), ERR.NOT_FOUND);
  t.is(fs.open("/LOGS", fs.READ), ERR.IS_DIR);
  t.is(fs.open("/", fs.READ), ERR.IS_DIR);
  t.is(fs.open("/LOGS/X.TXT", 9), ERR.BAD_MODE);
  for (const bad of ["/LOGS/A*B.TXT", "/LOGS/WHAT?.TXT", "/LOGS/A:B", "/LOGS/TRAILING.", "/LOGS/x|y", "/LOGS/" + "n".repeat(256)]) {
    t.is(fs.open(bad, fs.WRITE), ERR.INVALID_NAME, bad);
  }
  let h = fs.open("/LOGS/F.TXT", fs.WRITE);
  t.is(fs.open("/LOGS/F.TXT", fs.READ), ERR.BUSY);
  t.is(fs.fw.exports.fsRead(h, 0, 10), ERR.BAD_MODE);
  t.is(fs.write(h, Buffer.from("hello")), 5);
  t.is(fs.fileSize("/LOGS/F.TXT"), 5, "size of an open file includes unsynced data");
  t.is(fs.remove("/LOGS/F.TXT"), ERR.BUSY);
  t.is(fs.mkdir("/LOGS/F.TXT"), ERR.EXISTS);
  t.is(fs.open("/LOGS/F.TXT/X", fs.WRITE), ERR.NOT_DIR);
  const hs = [1, 2, 3].map((i) => fs.open(`/LOGS/H${i}.TXT`, fs.WRITE));
  t.true(hs.every((x) => x >= 0));
  t.is(fs.open("/LOGS/H4.TXT", fs.WRITE), ERR.TOO_MANY_OPEN);
  for (const x of [h, ...hs]) t.is(fs.close(x), 0);
  t.is(fs.close(h), ERR.BAD_HANDLE);
  t.is(fs.sync(77), ERR.BAD_HANDLE);

  // Truncate and remove give the clusters back.
  h = fs.open("/LOGS/BIG.BIN", fs.WRITE);
  t.is(fs.write(h, bytes(100_000, 5)), 100_000);
  t.is(fs.close(h), 0);
  const afterBig = fs.freeSpace();
  h = fs.open("/LOGS/BIG.BIN", fs.WRITE);
  t.is(fs.write(h, Buffer.from("short")), 5);
  t.is(fs.close(h), 0);
  t.is(fs.fileSize("/LOGS/BIG.BIN"), 5);
  t.is(fs.freeSpace(), afterBig + (Math.ceil(100_000 / 512) - 1) * 512);
  t.is(fs.remove("/LOGS/BIG.BIN"), 0);
  t.false(fs.exists("/LOGS/BIG.BIN"));
  t.is(fs.remove("/LOGS/BIG.BIN"), ERR.NOT_FOUND);
  t.is(fs.remove("/LOGS"), ERR.IS_DIR);

  // A directory that grows over several clusters, with long names crossing cluster ends.
  t.is(fs.mkdir("/MANY"), 0);
  const names: string[] = [];
  for (let i = 0; i < 60; i++) names.push(i % 3 === 0 ? `Reading number ${i} of the day.csv` : `F${i}.TXT`);
  for (const [i, name] of names.entries()) {
    h = fs.open(`/MANY/${name}`, fs.WRITE);
    t.true(h >= 0, `${name}: ${h}`);
    t.is(fs.write(h, Buffer.from(`${i}\n`)), `${i}\n`.length);
    t.is(fs.close(h), 0);
  }
  t.is(fs.remove(`/MANY/${names[3]}`), 0); // long name: its LFN entries go too
  t.is(fs.remove("/MANY/F4.TXT"), 0);
  t.is(fs.mkdir("/MANY/Sub Directory"), 0);
  t.is(fs.mkdir("/MANY/Sub Directory/Deeper"), 0);
  h = fs.open("/MANY/sub directory/DEEPER/../DEEPER/./Z.TXT", fs.WRITE);
  t.true(h >= 0);
  t.is(fs.close(h), 0);
  t.true(fs.exists("/MANY/Sub Directory/Deeper/Z.TXT"));
  t.is(fs.unmount(), 0);
  card.close();

  const listed = mdirSizes(img, "::/MANY");
  for (const [i, name] of names.entries()) {
    if (i === 3 || i === 4) t.false(listed.has(name), name);
    else t.is(listed.get(name), `${i}\n`.length, name);
  }
  t.is(listed.get("Sub Directory"), -1);
  t.true(mdirSizes(img, "::/MANY/Sub Directory/Deeper").has("Z.TXT"));
  t.deepEqual(mcopyBytes(t, img, "::/MANY/Reading number 6 of the day.csv"), Buffer.from("6\n"));
  t.is(mdirSizes(img, "::/LOGS").get("F.TXT"), 5);
  assertFsckClean(t, img);
});

toolTest("disk full: write stops with ERR_FULL and the card stays consistent", async (t) => {
  const img = path.join(tmpDir(t), "small.img");
  const l = createFat32Image(img, 34 * MiB);
  const { fs, card } = await boot(img);
  t.is(fs.mount(), 0);
  const h = fs.open("/FILL.BIN", fs.WRITE);
  const chunk = bytes(200_000, 9);
  let total = 0;
  for (;;) {
    fs.io.set(chunk);
    const r = fs.fw.exports.fsWrite(h, 0, chunk.length);
    if (r < 0) { t.is(r, ERR.FULL); break; }
    total += r;
  }
  t.is(total, (l.clusterCount - 1) * 512);
  t.is(fs.freeSpace(), 0);
  t.is(fs.close(h), 0);
  t.is(fs.open("/MORE.TXT", fs.WRITE) >= 0 ? 0 : -1, 0); // an entry still fits in the root cluster
  t.is(fs.unmount(), 0);
  card.close();
  t.is(mdirSizes(img, "::").get("FILL.BIN"), total);
  assertFsckClean(t, img);
});

toolTest("the file system API allocates nothing (static buffers only)", async (t) => {
  const img = path.join(tmpDir(t), "card.img");
  createFat32Image(img);
  const card = new ImageCard(img);
  const fw = await instantiate(await compileProgram("test/firmware/fat-progs/no-alloc.ts"), card);
  const pages = fw.memory.buffer.byteLength;
  t.is(fw.exports.run(), 0, "heap bytes allocated by mount/mkdir/open/write/read/close/exists/fileSize/remove");
  t.is(fw.memory.buffer.byteLength, pages, "memory did not grow");
  card.close();
  t.is(mdirSizes(img, "::/NOALLOC").get("Long file name log.txt"), 3000);
  assertFsckClean(t, img);
});
