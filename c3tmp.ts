import { compileProgram, instantiate, ImageCard, fsck, run } from "./test/helpers/fat-harness.ts";
import { createFat32Image } from "./emulator/sdcard/format-fat32.ts";
const img = "/tmp/fatw/full.img";
const l = createFat32Image(img, 34 * 1024 * 1024);
console.log(l);
const card = new ImageCard(img);
const fw = await instantiate(await compileProgram("test/firmware/fat-progs/fs-shim.ts"), card);
const e = fw.exports;
const enc = new TextEncoder();
const put = (s: string, off = 0) => { const b = enc.encode(s); new Uint8Array(fw.memory.buffer, e.ioBuffer() + off, b.length).set(b); return b.length; };
console.log("mount", e.fsMount(), e.fsFreeSpace());
const h = e.fsOpen(put("/FILL.BIN"), 2);
let total = 0;
for (;;) { const r = e.fsWrite(h, 0, 200000); if (r < 0) { console.log("err", r); break; } total += r; }
console.log(total, e.fsFreeSpace(), e.fsClose(h));
card.close();
console.log(fsck(img).stdout);
