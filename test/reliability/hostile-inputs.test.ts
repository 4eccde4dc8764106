// Issue 12.5/12.7: input files that would take gigabytes, never end or reach the user's
// terminal are refused (or neutralised) in one line before any work is done. In-process:
// these are checks on headers and file kinds, not runs.
import test from "ava";
import {
  closeSync,
  openSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { decodeImage } from "../../emulator/inputs/image-decode.ts";
import { openAccelSource, MAX_CSV_BYTES } from "../../emulator/inputs/accel-source.ts";
import { openCameraSource } from "../../emulator/inputs/camera-source.ts";
import { escapeControls, forTerminal } from "../../emulator/cli/terminal-text.ts";
import { loadApp } from "../../emulator/toolchain/app.ts";
import { PROJECT_ROOT as ROOT } from "../../emulator/paths.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "tb-hostile-"));

/** A PNG whose IHDR claims width x height, with a tiny (valid) compressed stream after it. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.alloc(Math.min(height * (1 + 3 * width), 64 * 1024)))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A JPEG whose baseline frame header (SOF0) claims width x height, after an APP0 segment. */
function jpegClaiming(width: number, height: number): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00,
  ]);
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app0,
    sof,
    Buffer.alloc(1024),
    Buffer.from([0xff, 0xd9]),
  ]);
}

test("decompression bombs: a PNG or JPEG header claiming 32000x32000 is refused from the header, before decoding", (t) => {
  for (const [kind, bytes] of [
    ["PNG", pngClaiming(32000, 32000)],
    ["JPEG", jpegClaiming(32000, 32000)],
  ] as const) {
    const before = process.memoryUsage().rss;
    const e = t.throws(() => decodeImage(bytes, `bomb.${kind}`));
    t.is(e?.name, "InputError");
    t.regex(
      e?.message ?? "",
      new RegExp(`^bomb\\.${kind}: 32000x32000 is larger than 40 megapixels$`),
    );
    // Refused before decoding: no gigabytes allocated on the way (a decode of the PNG takes 4 GB).
    t.true(process.memoryUsage().rss - before < 200 * 1024 * 1024, kind);
  }
  // A small picture with the same headers still reads (the check is not a blanket refusal).
  t.is(decodeImage(pngClaiming(8, 8), "small.png").width, 8);
});

test("a CSV trace past the stated size is refused before it is read", (t) => {
  const file = path.join(tmp, "huge.csv");
  writeFileSync(file, "t,x,y,z\n");
  const fd = openSync(file, "r+");
  ftruncateSync(fd, MAX_CSV_BYTES + 1); // sparse: no disk or memory spent
  closeSync(fd);
  const e = t.throws(() => openAccelSource("huge.csv", { cwd: tmp }));
  t.is(e?.name, "InputError");
  t.regex(
    e?.message ?? "",
    /^huge\.csv: 16777217 bytes, more than the 16 MiB a CSV trace may have/,
  );
});

test("devices and FIFOs as camera or accelerometer input are refused, not read forever", (t) => {
  const accel = t.throws(() => openAccelSource("/dev/zero"));
  t.regex(accel?.message ?? "", /^\/dev\/zero: not a regular file/);
  const camera = t.throws(() => openCameraSource("/dev/zero"));
  t.regex(camera?.message ?? "", /camera input \/dev\/zero is not a regular file/);
});

test("firmware console text: escape sequences are shown, not obeyed, on a terminal; piped output stays raw", (t) => {
  const hostile =
    "title\x1b]0;pwned\x07 clear\x1b[2J\x1b[H csi\u009b31m bell\x07 nul\x00 ok\tend\r\nnext\n";
  const shown = escapeControls(hostile);
  t.is(
    shown,
    "title\\x1b]0;pwned\\x07 clear\\x1b[2J\\x1b[H csi\\x9b31m bell\\x07 nul\\x00 ok\tend\nnext\n",
  );
  t.false(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(shown));
  t.is(forTerminal(hostile, { isTTY: true }), shown);
  t.is(forTerminal(hostile, { isTTY: false }), hostile);
});

test("app.json partitions: inside the app's folder or the project only; `..` out of both, absolute paths and links out are refused", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tb-part-"));
  const app = path.join(dir, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "main.ts"), "export function main(): void {}\n");
  writeFileSync(path.join(app, "model.bin"), "m");
  writeFileSync(path.join(dir, "outside.bin"), "secret");
  symlinkSync(path.join(dir, "outside.bin"), path.join(app, "link.bin"));
  const withPartition = (file: string) => {
    writeFileSync(
      path.join(app, "app.json"),
      JSON.stringify({ name: "app", boards: ["rt1060"], partitions: [{ name: "model", file }] }),
    );
    return () => loadApp(app);
  };
  t.notThrows(withPartition("model.bin"));
  t.notThrows(withPartition("./sub/../model.bin"));
  for (const file of [
    "../outside.bin",
    "link.bin",
    "/etc/passwd",
    "../../../../../../etc/passwd",
  ]) {
    const e = t.throws(withPartition(file), undefined, file);
    t.is(e?.name, "UserError");
    t.regex(
      e?.message ?? "",
      /partition 'model': .* must be a relative path to a file inside the app's folder or the project/,
    );
  }
  // Inside the project, a sibling app's model stays reachable (apps/person-detector/grey does this).
  t.is(
    loadApp(path.join(ROOT, "apps/person-detector/grey")).partitions[0].file,
    "../model/person_detect.tflite",
  );
});
