// `tinyboard model inspect`: the table, --json and --board through the real CLI, one-line
// errors for files that are missing, not models or corrupt; and the report's figures
// (NPU estimate, fit lines, measured CPU cycles) through the API.
import test, { type ExecutionContext } from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard } from "../../emulator/board.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { formatInspect, inspectModel } from "../../emulator/model/inspect.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = path.resolve(ROOT, "../shared/fixtures");
const KWS = path.join(FIXTURES, "mlcommons-tiny/kws_ref_model.tflite");
const PERSON = path.join(FIXTURES, "tflite-micro/person_detect.tflite");
const HELLO = path.join(FIXTURES, "tflite-micro/hello_world_int8.tflite");
const HELLO_FLOAT = path.join(FIXTURES, "tflite-micro/hello_world_float.tflite");

const tmp = mkdtempSync(path.join(os.tmpdir(), "tinyboard-inspect-"));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/tinyboard.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 110_000,
  });
  if (r.error) throw r.error;
  return r;
}

// spawnSync blocks the worker: run one at a time and let the event loop turn before each.
const cliTest = (title: string, fn: (t: ExecutionContext) => void) =>
  test.serial(title, async (t) => {
    await new Promise((resolve) => setImmediate(resolve));
    fn(t);
  });

/** Exit 1 with exactly one "tinyboard: error:" line and no stack trace. */
function userError(t: ExecutionContext, args: string[], message: RegExp): void {
  const r = cli(args);
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/, JSON.stringify(r.stderr));
  t.false(r.stderr.includes("    at "));
  t.regex(r.stderr, message);
  t.is(r.stdout, "");
}

const rowsOf = (stdout: string) =>
  stdout.split("\n").filter((l) => /^\s*\d+\s+[A-Z_0-9]+\s/.test(l));

cliTest(
  "the table for kws: 13 layers, MACs, arena, NPU column for mcxn947, three fit lines",
  (t) => {
    const r = cli(["model", "inspect", KWS, "--no-measure"]);
    t.is(r.status, 0, r.stderr);
    const rows = rowsOf(r.stdout);
    t.is(rows.length, 13);
    t.regex(
      rows[0],
      /^\s*0\s+CONV_2D\s+\[1,49,10,1\] → \[1,25,5,64\]\s+320,000\s+2,816\s+0\s+8,000\s+-\s+-\s+[\d,]+\s+[\d.]+\s+npu$/,
    );
    // The N1-16 does not take SOFTMAX, and the last column says so.
    t.regex(rows[12], /SOFTMAX .*cpu: SOFTMAX is not in the eIQ Neutron N1-16's op list$/);
    t.regex(r.stdout, /cpu: rt1060 cm7 at 600 MHz/);
    t.regex(r.stdout, /npu: mcxn947 eIQ Neutron N1-16 at 150 MHz/);
    t.regex(r.stdout, /^MACs +2,656,768$/m);
    t.regex(r.stdout, /^flash needed +53,936 B/m);
    t.regex(r.stdout, /^arena needed +16,000 B/m);
    for (const id of ["rt1060", "rt1170", "mcxn947"])
      t.regex(
        r.stdout,
        new RegExp(
          `^${id}: fits \\(arena 16 KB of \\d+ KB SRAM, model 53 KB of \\d+ MB flash\\)$`,
          "m",
        ),
      );
  },
);

cliTest("--board picks the timing columns: no NPU column on rt1170, one on mcxn947", (t) => {
  const rt = cli(["model", "inspect", KWS, "--board", "rt1170", "--no-measure"]);
  t.is(rt.status, 0, rt.stderr);
  t.regex(rt.stdout, /cpu: rt1170 cm7 at 996 MHz/);
  t.false(rt.stdout.includes("npu cyc"));
  const mcx = cli(["model", "inspect", KWS, "-b", "mcxn947", "--no-measure"]);
  t.is(mcx.status, 0, mcx.stderr);
  t.regex(mcx.stdout, /cpu: mcxn947 cm33 at 150 MHz/);
  t.true(mcx.stdout.includes("npu cyc"));
});

cliTest(
  "--json --no-measure: person_detect's layers, totals (tensors only), NPU estimate by the board's rule and fits",
  (t) => {
    const r = cli(["model", "inspect", PERSON, "--json", "--no-measure"]);
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    t.is(j.layers.length, 31);
    t.is(j.totals.macs, 7_157_888);
    t.is(j.totals.flashBytes, 300_568);
    t.is(j.totals.arenaBytes, 55_296);
    t.false(j.totals.scratchKnown);
    t.deepEqual(
      j.fits.map((f: any) => [f.board, f.fits]),
      [
        ["mcxn947", true],
        ["rt1060", true],
        ["rt1170", true],
      ],
    );
    t.is(j.npu.board, "mcxn947");
    const npu = loadBoard("mcxn947").npu!;
    for (const l of j.layers) {
      t.is(l.cpuCycles, null);
      const takes = npu.ops.includes(l.op);
      if (!takes) {
        t.is(l.npuCycles, null);
        continue;
      }
      // The board's rule: set-up and layer overhead, MACs at the rate the input depth allows
      // (depthwise at its share), activations at the bus width, weights at the flash read rate.
      const depth = Math.min(l.inputShapes[0].at(-1), npu.channelVector) / npu.channelVector;
      const rate =
        npu.macsPerCycle * depth * (l.op === "DEPTHWISE_CONV_2D" ? npu.depthwiseEfficiency : 1);
      const expected =
        npu.setupCycles +
        npu.layerCycles +
        Math.ceil(l.macs / rate) +
        Math.ceil((l.inputBytes + l.outputBytes) / npu.bytesPerCycle) +
        Math.ceil(l.weightBytes / npu.weightBytesPerCycle);
      t.is(l.npuCycles, expected, `layer ${l.index}`);
      t.true(Math.abs(l.npuUs - (l.npuCycles / npu.clockHz) * 1e6) < 1e-9);
    }
    t.is(j.layers[2].op, "CONV_2D");
    t.is(j.layers[2].arenaOffset, 0);
    t.is(j.layers[2].arenaBytes, 36_864);
  },
);

cliTest(
  "a float model gets no NPU layers; --json carries the measured CPU cycles and the firmware's scratch",
  (t) => {
    const r = cli(["model", "inspect", HELLO_FLOAT, "--json"]);
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    t.deepEqual(
      j.layers.map((l: any) => l.npuCycles),
      [null, null, null],
    );
    for (const l of j.layers)
      t.true(Number.isInteger(l.cpuCycles) && l.cpuCycles > 0, `layer ${l.index}`);
    t.true(j.totals.scratchKnown);
    t.is(j.totals.arenaBytes, j.totals.tensorBytes + j.totals.scratchBytes);
    t.is(j.totals.npuLayers, 0);
  },
);

cliTest(
  "one-line errors: missing file, directory, not a model, truncated, corrupt, unknown board, no argument",
  (t) => {
    userError(
      t,
      ["model", "inspect", "no-such-model.tflite"],
      /model no-such-model\.tflite does not exist/,
    );
    userError(t, ["model", "inspect", "boards"], /model boards is a folder, not a file/);
    userError(t, ["model", "inspect", "/dev/zero"], /model \/dev\/zero is not a regular file/);
    userError(
      t,
      ["model", "inspect", "package.json"],
      /package\.json: not a TFLite model \(no TFL3 identifier\)/,
    );
    const truncated = path.join(tmp, "truncated.tflite");
    writeFileSync(truncated, readFileSync(KWS).subarray(0, 20_000));
    userError(t, ["model", "inspect", truncated], /truncated\.tflite: .*corrupt or truncated/);
    // hello_world's first layer reads tensors [0, 6, 5]: point its weights at tensor 99.
    const bytes = new Uint8Array(readFileSync(HELLO));
    const dv = new DataView(bytes.buffer);
    let at = -1;
    for (let i = 0; i + 16 <= bytes.length && at < 0; i += 4) {
      if ([3, 0, 6, 5].every((v, k) => dv.getInt32(i + 4 * k, true) === v)) at = i + 8;
    }
    t.true(at > 0);
    dv.setInt32(at, 99, true);
    const corrupt = path.join(tmp, "corrupt.tflite");
    writeFileSync(corrupt, bytes);
    userError(
      t,
      ["model", "inspect", corrupt],
      /corrupt\.tflite: layer 0 \(FULLY_CONNECTED\): input tensor 99 out of range \(10 tensors\)$/m,
    );
    userError(t, ["model", "inspect", KWS, "--board", "nrf52"], /unknown board 'nrf52'/);
    userError(t, ["model", "inspect"], /missing required argument 'model'/);
  },
);

test("measured CPU cycles fill the CPU columns; a big arena does not fit the smaller boards", (t) => {
  const model = readModel(new Uint8Array(readFileSync(KWS)), "kws.tflite");
  const cycles = model.operators.map((_, i) => 1000 * (i + 1));
  const r = inspectModel(model, {
    board: "rt1060",
    cpuCyclesPerLayer: cycles,
    scratchBytesPerOp: [100],
  });
  t.is(r.layers[2].cpuCycles, 3000);
  t.is(r.layers[2].cpuUs, 5); // 3000 cycles at 600 MHz
  t.is(r.totals.cpuCycles, 91_000);
  t.is(r.totals.scratchBytes, 112);
  t.is(r.totals.arenaBytes, 16_112);
  t.regex(formatInspect(r), /^cpu +91,000 cycles = 151\.7 µs on rt1060$/m);
  t.throws(() => inspectModel(model, { cpuCyclesPerLayer: [1, 2] }), { instanceOf: RangeError });
  // An activation of 600 KB: too big for the MCX N947's 512 KB, fine for the RT boards.
  const big = structuredClone(model);
  const input = big.tensors[big.inputs[0]];
  input.shape = [1, 600, 1024, 1];
  input.byteSize = 600 * 1024;
  const fits = Object.fromEntries(inspectModel(big).fits.map((f) => [f.board, f]));
  t.false(fits.mcxn947.fits);
  t.regex(
    fits.mcxn947.line,
    /^mcxn947: does not fit \(arena \d+ KB of 512 KB SRAM \(too big\), model 53 KB of 2 MB flash\)$/,
  );
  t.true(fits.rt1060.fits);
});
