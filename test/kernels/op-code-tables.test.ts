// The TFLite builtin operator table exists in several places (issue 10): the firmware's
// schema.ts (names by code and OP_ constants), the host's tflite-model.ts (names by code), the
// writer's BUILTIN_OPS, the NPU's op codes in emulator/peripherals/npu.ts; and the kernels the
// registry creates are listed for `model ops` in supported-ops.ts. Until they are one source,
// this proves the copies agree. The AssemblyScript files are read as text (they are not
// importable from Node), by the same patterns they are written in.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinOpName } from "../../emulator/model/tflite-model.ts";
import { BUILTIN_OPS } from "../../emulator/model/tflite-writer.ts";
import { SUPPORTED_OPS } from "../../emulator/model/supported-ops.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

const schema = read("firmware/tflite/schema.ts");
const firmwareNames = /const OP_NAMES_TEXT = "([A-Z0-9_ ]+)"/.exec(schema)![1].split(" ");
const firmwareConsts = [...schema.matchAll(/export const OP_([A-Z0-9_]+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])] as const);

test("the firmware's op names by code equal the host's (every code of schema.fbs)", (t) => {
  t.true(firmwareNames.length >= 162);
  firmwareNames.forEach((name, code) => t.is(builtinOpName(code), name, `code ${code}`));
});

test("the firmware's OP_ constants name their codes", (t) => {
  t.true(firmwareConsts.length > 60);
  for (const [name, code] of firmwareConsts) t.is(firmwareNames[code], name, `OP_${name} = ${code}`);
});

test("the writer's builtin op codes name their codes", (t) => {
  for (const [name, { code }] of Object.entries(BUILTIN_OPS)) t.is(firmwareNames[code], name, `${name} = ${code}`);
});

test("the NPU's op codes name their codes", (t) => {
  const table = /const OP_CODES: Record<string, number> = \{([^}]*)\}/.exec(read("emulator/peripherals/npu.ts"))![1];
  const entries = [...table.matchAll(/([A-Z0-9_]+): (\d+)/g)];
  t.true(entries.length > 5);
  for (const [, name, code] of entries) t.is(firmwareNames[Number(code)], name, `${name} = ${code}`);
});

test("the ops the kernel registry creates are exactly the ops `model ops` lists", (t) => {
  const registry = read("firmware/tflite/kernels/registry.ts");
  const registered = new Set([...registry.matchAll(/case s\.OP_([A-Z0-9_]+):/g)].map((m) => m[1]));
  t.deepEqual([...registered].sort(), SUPPORTED_OPS.map((o) => o.op).sort());
});
