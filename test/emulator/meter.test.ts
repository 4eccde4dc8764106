// The metering pass charges what the cost table says, per executed operator.
import test from "ava";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { Machine } from "../../emulator/machine.ts";
import {
  loadCostTable,
  classifyOperator,
  operatorKeys,
} from "../../emulator/toolchain/cost-table.ts";
import binaryen from "../../node_modules/assemblyscript/node_modules/binaryen/index.js";

const PROBE = "test/emulator/meter-probe";
const LOOP_FLOOR = 100 * 1001 + 101;

async function probe(costs: Record<string, number>, board = "rt1060") {
  const target = loadTarget(board);
  const { image } = await buildApp(PROBE, target, { costs: { default: 0, ...costs } });
  const machine = new Machine({ target, image, sdcard: null });
  let out = "";
  machine.events.on("console", (s) => {
    out += s;
  });
  const summary = await machine.run({ seconds: 100 });
  const m = /cycles (\d+) sink (-?\d+)/.exec(out);
  if (!m) throw new Error(`no result line in ${JSON.stringify(out)}`);
  // The measured span ends inside the clock.cycles() HAL call, which costs its entry.
  return {
    cycles: Number(m[1]) - target.board.timing.halCallCycles.value,
    sink: Number(m[2]),
    summary,
  };
}

test("each executed i32.mul costs exactly its table entry", async (t) => {
  const one = await probe({ "i32.mul": 1 });
  const five = await probe({ "i32.mul": 5 });
  t.is(one.summary.fault, null);
  // 100 calls x 1000 iterations, one multiply each, on top of the floor of one cycle per
  // loop iteration (1001 inner-loop head visits per call, 101 outer).
  t.is(one.cycles, LOOP_FLOOR + 100_000);
  t.is(five.cycles, LOOP_FLOOR + 500_000);
  t.is(one.sink, five.sink, "costs never change results");
});

test("branches and calls are charged per execution", async (t) => {
  const base = await probe({});
  t.is(
    base.cycles,
    LOOP_FLOOR,
    "a table of zeros charges only the floor of a cycle per loop iteration",
  );
  const calls = await probe({ call: 1 });
  // Between the two clock.cycles() calls: the second clock.cycles() import call (work() is inlined).
  t.true(calls.cycles >= LOOP_FLOOR + 1 && calls.cycles <= LOOP_FLOOR + 101, `got ${calls.cycles}`);
  // The optimized loops test with an `if` at their head: 1001 per inner loop, 101 outer.
  const ifs = await probe({ if: 3 });
  t.true(ifs.cycles >= 3 * LOOP_FLOOR && ifs.cycles <= 3 * LOOP_FLOOR + 30, `got ${ifs.cycles}`);
});

test("the real tables: M4 code takes more cycles than M7 code for the same work", async (t) => {
  const m7 = await probe(loadCostTable("cortex-m7").cycles);
  const m4 = await probe(loadCostTable("cortex-m4").cycles);
  const m33 = await probe(loadCostTable("cortex-m33").cycles);
  t.is(m7.sink, m4.sink);
  t.true(
    m4.cycles > m33.cycles && m33.cycles > m7.cycles,
    `M7 ${m7.cycles}, M33 ${m33.cycles}, M4 ${m4.cycles}`,
  );
  // 100k iterations of a handful of ALU ops and a branch: a few cycles each on an M7.
  t.true(m7.cycles > 100_000 * 2 && m7.cycles < 100_000 * 20, `M7 ${m7.cycles}`);
});

test("every cost key used by the classifier exists in every table", (t) => {
  const names = [
    "AddInt32",
    "MulInt32",
    "DivSInt32",
    "RemUInt32",
    "ClzInt32",
    "AddInt64",
    "ShlInt64",
    "MulFloat32",
    "SqrtFloat64",
    "AddVecI8x16",
    "DotSVecI16x8ToVecI32x4",
    "ExtendLowSVecI8x16ToVecI16x8",
    "NarrowSVecI16x8ToVecI8x16",
    "MulVecF32x4",
    "TruncFloat32",
    "ConvertSInt32ToFloat32",
  ];
  for (const core of ["cortex-m7", "cortex-m33", "cortex-m4"]) {
    const table = loadCostTable(core);
    for (const n of names)
      t.true(classifyOperator(n) in table.cycles, `${core}: ${n} -> ${classifyOperator(n)}`);
    for (const k of [
      "if",
      "br",
      "br_if",
      "br_table",
      "call",
      "call_indirect",
      "return",
      "load",
      "store",
      "load64",
      "store64",
      "v128.load",
      "v128.store",
      "local",
      "global",
      "const",
      "select",
      "drop_nop",
      "mem_bulk.base",
      "mem_bulk.per_byte",
      "memory.grow",
      "memory.size",
    ]) {
      t.true(k in table.cycles, `${core}: ${k}`);
    }
  }
  t.is(classifyOperator("TruncFloat32"), "f32.round");
  const { unary, binary } = operatorKeys(binaryen as any);
  const b = binaryen as any;
  t.is(binary.get(b.AddInt32), "i32.alu");
  t.is(binary.get(b.MulInt32), "i32.mul");
  t.is(binary.get(b.XorInt32), "i32.alu");
  t.is(binary.get(b.DivSInt64), "i64.div");
  t.is(binary.get(b.AddVecI8x16), "i8x16.add");
  t.is(unary.get(b.ClzInt32), "i32.clz");
  t.is(unary.get(b.SqrtFloat32), "f32.sqrt");
  t.is(classifyOperator("TruncSFloat32ToInt32"), "f32.convert");
});
