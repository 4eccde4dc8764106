// Boards are data validated by a schema; the facts match ../shared/reference/boards.md.
import test from "ava";
import path from "node:path";
import { writeFileSync, readFileSync } from "node:fs";
import { boardIds, loadBoard, loadTarget, BOARDS_DIR } from "../../emulator/board.ts";
import { tempDir } from "../helpers/tools.ts";

test("the three boards load with their published clocks, memories and NPU", (t) => {
  t.deepEqual(boardIds(), ["mcxn947", "rt1060", "rt1170"]);
  const rt1060 = loadTarget("rt1060");
  t.is(rt1060.core.type, "cortex-m7");
  t.is(rt1060.core.clockHz, 600e6);
  t.is(rt1060.sramBytes, 1024 * 1024);
  t.is(rt1060.board.flash.base, 0x60000000);
  t.is(rt1060.board.npu, null);
  const rt1170 = loadTarget("rt1170");
  t.is(rt1170.core.clockHz, 996e6);
  t.is(rt1170.board.flash.base, 0x30000000);
  const cm4 = loadTarget("rt1170", "cm4");
  t.is(cm4.core.type, "cortex-m4");
  t.is(cm4.sramBytes, 256 * 1024);
  const mcx = loadTarget("mcxn947");
  t.is(mcx.core.type, "cortex-m33");
  t.is(mcx.core.clockHz, 150e6);
  t.is(mcx.sramBytes, 512 * 1024);
  t.is(mcx.board.flash.size, 2 * 1024 * 1024);
  t.is(mcx.board.npu?.macsPerCycle, 16);
  t.deepEqual(mcx.board.npu?.ops, ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "RESHAPE", "ADD"]);
  for (const id of boardIds()) t.true(loadBoard(id).sources.length >= 2, `${id} names its sources`);
});

test("unknown and malformed boards give one-line errors", (t) => {
  t.throws(() => loadBoard("rt9999"), { message: "unknown board 'rt9999' (known boards: mcxn947, rt1060, rt1170)" });
  const dir = tempDir();
  const good = JSON.parse(readFileSync(path.join(BOARDS_DIR, "rt1060.json"), "utf8"));
  const write = (name: string, v: unknown) => { const f = path.join(dir, name); writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v)); return f; };
  t.throws(() => loadBoard(write("a.json", "{ nope")), { message: /is not valid JSON/ });
  t.throws(() => loadBoard(write("b.json", { ...good, cores: undefined })), { message: /malformed: .*cores/ });
  t.throws(() => loadBoard(write("c.json", { ...good, flash: "SRAM_DTC" })), { message: /not a flash region/ });
  t.throws(() => loadBoard(write("d.json", { ...good, cores: [{ ...good.cores[0], sram: ["NOPE"] }] })), { message: /not an SRAM region/ });
  t.throws(() => loadBoard(write("e.json", { ...good, memory: good.memory.map((m: any) => ({ ...m, base: "60000000" })) })), { message: /malformed: \/memory\/0\/base/ });
  t.throws(() => loadTarget("rt1060", "cm4"), { message: /no core 'cm4'/ });
  for (const f of ["a", "b", "c", "d", "e"]) {
    try { loadBoard(path.join(dir, `${f}.json`)); } catch (e) { t.false((e as Error).message.includes("\n")); }
  }
});

test("driver and bus timing lives in the board files, each constant with its source", (t) => {
  for (const id of boardIds()) {
    const timing = loadBoard(id).timing;
    t.is(timing.i2cHz.value, 400_000, `${id}: fast-mode I2C`);
    for (const [name, c] of Object.entries(timing)) t.regex(c.source, /\w{3}/, `${id} timing.${name} names its source`);
  }
  const dir = tempDir();
  const good = JSON.parse(readFileSync(path.join(BOARDS_DIR, "rt1060.json"), "utf8"));
  const file = path.join(dir, "t.json");
  writeFileSync(file, JSON.stringify({ ...good, timing: { ...good.timing, i2cHz: { value: 400_000 } } }));
  t.throws(() => loadBoard(file), { message: /malformed: \/timing\/i2cHz must have required property 'source'/ });
  writeFileSync(file, JSON.stringify({ ...good, timing: undefined }));
  t.throws(() => loadBoard(file), { message: /malformed: .*timing/ });
});
