// The op docs list what the kernel registry runs: docs/inference-engine.md's operator table
// (status per type and the TFLM rule, as `model ops` prints them from supported-ops.ts, which
// op-code-tables.test.ts holds equal to the registry) and docs/ops.md's cycles table (a row for
// every op and element type the registry runs). A kernel added without its docs fails here.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SUPPORTED_OPS } from "../../emulator/model/supported-ops.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

/** The cells of each table row whose first cell is an op name (upper case); "\|" is a "|" in a cell. */
const rows = (doc: string): string[][] =>
  [...doc.matchAll(/^\| ([A-Z][A-Z0-9_]*) \|(.*)\|$/gm)].map((m) => [
    m[1],
    ...m[2].split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|")),
  ]);

test("docs/inference-engine.md lists every registry op with its types and rule", (t) => {
  const table = new Map(rows(read("docs/inference-engine.md")).map((r) => [r[0], r]));
  t.deepEqual([...table.keys()].sort(), SUPPORTED_OPS.map((o) => o.op).sort());
  for (const o of SUPPORTED_OPS) {
    const [, int8, float32, , , rule] = table.get(o.op)!;
    t.is(int8, o.int8 ? "yes" : "-", `${o.op} int8`);
    t.is(float32, o.float32 ? "yes" : "-", `${o.op} float32`);
    t.is(rule, o.rule, `${o.op} rule`);
  }
});

test("docs/ops.md has a cycles row for every op and element type the registry runs", (t) => {
  const listed = rows(read("docs/ops.md")).map(([op, type]) => `${type} ${op}`);
  const expected = SUPPORTED_OPS.flatMap((o) => [
    ...(o.int8 ? [`int8 ${o.op}`] : []),
    ...(o.float32 ? [`float32 ${o.op}`] : []),
  ]);
  t.deepEqual([...new Set(listed)].sort(), expected.sort());
});
