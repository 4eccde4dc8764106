// Test program: the file system API must not allocate. Runs a typical logging session with
// literal paths (static strings) and reports how many heap bytes it used (expected 0).
import * as fs from "../../../firmware/fat32/file-system";

const data: usize = memory.data(3000, 16);
const back: usize = memory.data(3000, 16);

/** Bytes allocated between two probe allocations, minus one probe block. */
function probe(): usize { return heap.alloc(16); }

function session(): i32 {
  for (let i = 0; i < 3000; i++) store<u8>(data + i, <u8>(i * 7));
  let r = fs.mount();
  if (r < 0) return r;
  fs.setClock(2026, 2, 3, 4, 5, 6);
  r = fs.mkdir("/NOALLOC");
  if (r < 0) return r;
  for (let k = 0; k < 3; k++) {
    const h = fs.open("/NOALLOC/Long file name log.txt", fs.MODE_APPEND);
    if (h < 0) return h;
    r = fs.write(h, data, 1000);
    if (r < 0) return r;
    r = fs.close(h);
    if (r < 0) return r;
  }
  let h = fs.open("/NOALLOC/DATA.BIN", fs.MODE_WRITE);
  if (h < 0) return h;
  r = fs.write(h, data, 3000);
  if (r < 0) return r;
  r = fs.close(h);
  if (r < 0) return r;
  h = fs.open("/noalloc/data.bin", fs.MODE_READ);
  if (h < 0) return h;
  r = fs.read(h, back, 3000);
  fs.close(h);
  if (r != 3000 || memory.compare(data, back, 3000) != 0) return -1000;
  if (!fs.exists("/NOALLOC/LONG FILE NAME LOG.TXT")) return -1001;
  if (fs.fileSize("/NOALLOC/Long file name log.txt") != 3000) return -1002;
  if (fs.freeSpace() <= 0) return -1003;
  r = fs.remove("/NOALLOC/DATA.BIN");
  if (r < 0) return r;
  return fs.unmount();
}

/** Returns the heap bytes the session allocated (>= 0), or the session's error (< 0). */
export function run(): i32 {
  const a = probe();
  const r = session();
  const b = probe();
  const c = probe();
  if (r < 0) return r;
  return <i32>((b - a) - (c - b));
}
