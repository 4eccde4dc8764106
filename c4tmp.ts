import { compileProgram, instantiate, ImageCard, fsck, run, mcopyOut } from "./test/helpers/fat-harness.ts";
import { createFat32Image } from "./emulator/sdcard/format-fat32.ts";
import { copyFileSync, readFileSync } from "node:fs";
const mod = await compileProgram("test/firmware/fat-progs/fs-shim.ts");
const enc = new TextEncoder();
async function boot(img: string) {
  const card = new ImageCard(img);
  const fw = await instantiate(mod, card);
  const e = fw.exports;
  const put = (s: string) => { const b = enc.encode(s); new Uint8Array(fw.memory.buffer, e.ioBuffer(), b.length).set(b); return b.length; };
  const wr = (h: number, d: Buffer, chunk: number) => { for (let o = 0; o < d.length; o += chunk) { const p = d.subarray(o, o + chunk); new Uint8Array(fw.memory.buffer, e.ioBuffer(), p.length).set(p); e.fsWrite(h, 0, p.length); } };
  return { card, e, put, wr };
}
function csv(first: number, count: number) { let s = ""; for (let i = first; i < first + count; i++) s += `${i},${(i * i) % 9973},s${i % 7}\n`; return Buffer.from(s); }
const base = "/tmp/fatw/base.img";
createFat32Image(base);
{ const { card, e, put } = await boot(base); e.fsMount(); e.fsMkdir(put("/LOGS")); const h = e.fsOpen(put("/LOGS/FIRST.CSV"), 2); e.writeCsv(h, 0, 3000); e.fsClose(h); card.close(); }
const data = Buffer.alloc(40000, 7);
function phase2(b: any) { const { e, put, wr } = b; const h = e.fsOpen(put("/LOGS/SECOND.BIN"), 2); for (let k = 0; k < 8; k++) { wr(h, data.subarray(k*5000, (k+1)*5000), 1234); if (k % 3 == 2) e.fsSync(h); } e.fsClose(h); e.fsMkdir(put("/LOGS/SUB")); for (let k = 0; k < 3; k++) { const ha = e.fsOpen(put("/LOGS/THIRD.TXT"), 3); e.writeCsv(ha, k*100, 100); e.fsClose(ha); } }
const first = csv(0, 3000);
let total = 0;
{ copyFileSync(base, "/tmp/fatw/c.img"); const b = await boot("/tmp/fatw/c.img"); b.e.fsMount(); const w0 = b.card.blocksWritten; phase2(b); total = b.card.blocksWritten - w0; b.card.close(); }
console.log("total", total);
const seen = new Map<string, number[]>();
for (let n = 0; n < total; n++) {
  copyFileSync(base, "/tmp/fatw/c.img");
  const b = await boot("/tmp/fatw/c.img"); b.e.fsMount(); b.card.powerCutAfter = b.card.blocksWritten + n;
  try { phase2(b); console.log("no cut", n); } catch (err) { if (String(err) !== "Error: power cut") throw err; }
  b.card.close();
  mcopyOut("/tmp/fatw/c.img", "::/LOGS/FIRST.CSV", "/tmp/fatw/first.out");
  if (!readFileSync("/tmp/fatw/first.out").equals(first)) console.log("FIRST DAMAGED", n);
  const r = fsck("/tmp/fatw/c.img");
  const lines = r.stdout.split("\n").filter(l => l && !l.startsWith("fsck.fat") && !/clusters$/.test(l)).map(l => l.replace(/\d+/g, "N").replace(/\/tmp\S+/, ""));
  const key = lines.join(" | ") + ` [rc ${r.status}]`;
  if (!seen.has(key)) seen.set(key, []);
  seen.get(key)!.push(n);
}
for (const [k, v] of seen) console.log(v.length, v.slice(0, 8).join(","), "::", k);
