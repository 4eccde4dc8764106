// Test program for firmware/fat32/file-system.ts: exports the file system API to the test harness.
// Paths and data pass through `io` (the harness writes into it and reads from it).
import * as fs from "../../../firmware/fat32/file-system";
import { writeBytes } from "../../../hal/console";

const IO_SIZE: u32 = 256 * 1024;
const io: usize = memory.data(<i32>IO_SIZE, 16);

export function ioBuffer(): usize { return io; }
export function ioSize(): u32 { return IO_SIZE; }

export const MODE_READ = fs.MODE_READ;
export const MODE_WRITE = fs.MODE_WRITE;
export const MODE_APPEND = fs.MODE_APPEND;

/** The path the harness stored at the start of `io` (UTF-8, `len` bytes). */
function pathArg(len: u32): string { return String.UTF8.decodeUnsafe(io, len); }

export function fsMount(): i32 { return fs.mount(); }
export function fsUnmount(): i32 { return fs.unmount(); }
export function fsSetClock(y: i32, mo: i32, d: i32, h: i32, mi: i32, s: i32): i32 { return fs.setClock(y, mo, d, h, mi, s); }
export function fsMkdir(len: u32): i32 { return fs.mkdir(pathArg(len)); }
export function fsOpen(len: u32, mode: i32): i32 { return fs.open(pathArg(len), mode); }
export function fsExists(len: u32): bool { return fs.exists(pathArg(len)); }
export function fsFileSize(len: u32): i64 { return fs.fileSize(pathArg(len)); }
export function fsRemove(len: u32): i32 { return fs.remove(pathArg(len)); }
export function fsFreeSpace(): i64 { return fs.freeSpace(); }
/** Write `len` bytes from io[off..]. */
export function fsWrite(h: i32, off: u32, len: u32): i32 { return fs.write(h, io + off, len); }
/** Read up to `len` bytes into io[off..]. */
export function fsRead(h: i32, off: u32, len: u32): i32 { return fs.read(h, io + off, len); }
export function fsSync(h: i32): i32 { return fs.sync(h); }
export function fsClose(h: i32): i32 { return fs.close(h); }

// ---- a firmware-style logger: CSV lines formatted into a static line buffer ----
const line: usize = memory.data(64);

function putU32(p: usize, v: u32): usize {
  let digits: u32 = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  for (let i = digits; i > 0; i--) { store<u8>(p + i - 1, <u8>(0x30 + v % 10)); v /= 10; }
  return p + digits;
}

/**
 * Append lines "<i>,<(i*i) % 9973>,s<i % 7>\n" for i in [first, first+count) to open file
 * `h`, one write() per line (odd sizes, so sectors fill up piecewise). Returns 0 or an error.
 */
export function writeCsv(h: i32, first: u32, count: u32): i32 {
  for (let i = first; i < first + count; i++) {
    let p = putU32(line, i);
    store<u8>(p++, 0x2c);
    p = putU32(p, <u32>((<u64>i * <u64>i) % 9973));
    store<u8>(p++, 0x2c);
    store<u8>(p++, 0x73);
    p = putU32(p, i % 7);
    store<u8>(p++, 0x0a);
    const n = <u32>(p - line);
    const r = fs.write(h, line, n);
    if (r != <i32>n) return r < 0 ? r : -1000;
  }
  return 0;
}

/** Print a file to the console in 100-byte pieces (exercises unaligned reads). */
export function catFile(len: u32): i32 {
  const h = fs.open(pathArg(len), fs.MODE_READ);
  if (h < 0) return h;
  let total = 0;
  for (;;) {
    const n = fs.read(h, line, 50);
    if (n < 0) { fs.close(h); return n; }
    if (n == 0) break;
    writeBytes(line, <u32>n);
    total += n;
  }
  fs.close(h);
  return total;
}
