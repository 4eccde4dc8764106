// `tinyboard model bench` through the real CLI: the table, --json for scripts, --input and
// --output as raw tensor bytes, and one-line errors.
import test from "ava";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIX = path.resolve(ROOT, "../shared/fixtures");
const PERSON = path.join(FIX, "tflite-micro/person_detect.tflite");
const PERSON_IN = path.join(FIX, "tflite-micro/person_image_data.i8.bin");
const NETWORK = path.join(FIX, "tflite-micro/network_tester");
const tmp = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-cli-"));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, "bin/tinyboard.js"), ...args], {
      cwd: ROOT,
    });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("--json reports latency, cycles, MACs, arena, flash and the outputs; --output writes the raw output", async (t) => {
  const out = path.join(tmp, "out.bin");
  const r = await cli([
    "model",
    "bench",
    PERSON,
    "--board",
    "mcxn947",
    "--input",
    PERSON_IN,
    "--output",
    out,
    "--json",
  ]);
  t.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ["latency_ms", "cycles", "macs", "arena_bytes", "flash_bytes"])
    t.true(j[k] > 0, k);
  t.is(j.macs, 7157888);
  t.is(j.flash_bytes, readFileSync(PERSON).length);
  t.deepEqual(j.outputs[0].values, [-113, 113]);
  t.true(j.npu_cycles > 0 && j.cpu_cycles > 0);
  t.is(j.layers.length, 31);
  const raw = readFileSync(out);
  t.deepEqual(Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.length)), [-113, 113]);
});

test("the table: one row per layer and a latency line; network_tester's output file equals TFLM's", async (t) => {
  const out = path.join(tmp, "nt.bin");
  const r = await cli([
    "model",
    "bench",
    path.join(NETWORK, "network_model.tflite"),
    "-b",
    "rt1060",
    "-i",
    path.join(NETWORK, "input_data.bin"),
    "-o",
    out,
  ]);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^\s*0\s+DEPTHWISE_CONV_2D\s+cpu\s+\d+/m);
  t.regex(r.stdout, /^latency [\d.]+ ms \(\d+ cycles: CPU \d+, NPU 0\)/m);
  t.deepEqual(readFileSync(out), readFileSync(path.join(NETWORK, "expected_output_data.bin")));
});

for (const [what, args, message] of [
  [
    "an input of the wrong size",
    [PERSON, "-b", "rt1060", "-i", path.join(NETWORK, "input_data.bin")],
    /input has 1024 bytes, the model's input int8\[1,96,96,1\] needs 9216/,
  ],
  ["an unknown board", [PERSON, "-b", "rt9999"], /unknown board/i],
  [
    "a file that is not a model",
    [path.join(ROOT, "package.json"), "-b", "rt1060"],
    /package\.json/,
  ],
  [
    "a missing input file",
    [PERSON, "-b", "rt1060", "-i", path.join(tmp, "nope.bin")],
    /--input .*nope\.bin does not exist/,
  ],
  [
    "a special file as the model",
    ["/dev/zero", "-b", "rt1060"],
    /model \/dev\/zero is not a regular file/,
  ],
  [
    "a folder as --output",
    [
      path.join(NETWORK, "network_model.tflite"),
      "-b",
      "rt1060",
      "-i",
      path.join(NETWORK, "input_data.bin"),
      "-o",
      tmp,
    ],
    /--output .* is a folder, not a file/,
  ],
] as const) {
  test(`${what} is a one-line error`, async (t) => {
    const r = await cli(["model", "bench", ...args]);
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/);
    t.regex(r.stderr, message);
  });
}

test("a truncated model is a one-line error naming the file", async (t) => {
  const bytes = new Uint8Array(
    readFileSync(path.join(FIX, "tflite-micro/hello_world_int8.tflite")),
  );
  const file = path.join(tmp, "truncated.tflite");
  writeFileSync(file, bytes.subarray(0, 200));
  const r = await cli(["model", "bench", file, "-b", "rt1060"]);
  t.is(r.status, 1);
  t.regex(r.stderr, /^tinyboard: error: .*truncated\.tflite: [^\n]+\n$/);
});
