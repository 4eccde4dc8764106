// The TFLite builtin operator table exists in several places (issue 10): the firmware's
// schema.ts (names by code and OP_ constants), the host's tflite-model.ts (names by code; the
// writer's BUILTIN_OPS takes its codes from it), the NPU's op list in the board file (codes from the host's table); and the kernels the
// registry creates are listed for `model ops` in supported-ops.ts. Until they are one source,
// this proves the copies agree. The AssemblyScript files are read as text (they are not
// importable from Node), by the same patterns they are written in.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinOpCode, builtinOpName } from "../../emulator/model/tflite-model.ts";
import { npuOpMask } from "../../emulator/peripherals/npu.ts";
import { BUILTIN_OPS } from "../../emulator/model/tflite-writer.ts";
import { SUPPORTED_OPS } from "../../emulator/model/supported-ops.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

const schema = read("firmware/tflite/schema.ts");
const firmwareNames = /const OP_NAMES_TEXT = "([A-Z0-9_ ]+)"/.exec(schema)![1].split(" ");
const firmwareConsts = [...schema.matchAll(/export const OP_([A-Z0-9_]+): i32 = (\d+);/g)].map(
  (m) => [m[1], Number(m[2])] as const,
);

test("the firmware's op names by code equal the host's (every code of schema.fbs)", (t) => {
  t.true(firmwareNames.length >= 162);
  firmwareNames.forEach((name, code) => t.is(builtinOpName(code), name, `code ${code}`));
});

test("the firmware's OP_ constants name their codes", (t) => {
  t.true(firmwareConsts.length > 60);
  for (const [name, code] of firmwareConsts)
    t.is(firmwareNames[code], name, `OP_${name} = ${code}`);
});

test("the writer's builtin ops are names of the host's code table (the writer takes its codes there)", (t) => {
  t.true(Object.keys(BUILTIN_OPS).length > 60);
  for (const name of Object.keys(BUILTIN_OPS)) {
    const code = builtinOpCode(name);
    t.true(code >= 0, `${name} is a builtin operator name`);
    t.is(firmwareNames[code], name, `${name} = ${code}`);
  }
});

test("the NPU's op list (the board file) names ops whose codes the firmware gives the same names", (t) => {
  // The Neutron's capability mask is built from the board's op names with the host's code
  // table (emulator/peripherals/npu.ts): each name must mean the same code in the firmware.
  const board = JSON.parse(read("boards/mcxn947.json"));
  const ops: string[] = board.npu.ops;
  t.true(ops.length >= 5);
  for (const name of ops) {
    const code = builtinOpCode(name);
    t.true(code >= 0 && code < 32, `${name}: code ${code} fits the 32-bit mask`);
    t.is(firmwareNames[code], name, `${name} = ${code}`);
  }
  t.is(
    npuOpMask(board.npu) >>> 0,
    ops.reduce((m, n) => (m | (1 << builtinOpCode(n))) >>> 0, 0),
  );
});

test("the ops the kernel registry creates are exactly the ops `model ops` lists", (t) => {
  const registry = read("firmware/tflite/kernels/registry.ts");
  // createKernel's switch cases, and createLaterKernel's `code == s.OP_X` tests
  const registered = new Set(
    [...registry.matchAll(/(?:case|code ==) s\.OP_([A-Z0-9_]+)/g)].map((m) => m[1]),
  );
  t.deepEqual([...registered].sort(), SUPPORTED_OPS.map((o) => o.op).sort());
});
