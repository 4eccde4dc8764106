// Issue 12.4: v128.store8_lane overwrote the partition table with no fault. Every form of
// store binaryen can emit is metered into a module here, aimed at flash address 16, and
// must reach the meter's flash-write fault exactly like i32.store.
import test from "ava";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import { meterModule } from "../../emulator/toolchain/meter.ts";
import { loadCostTable } from "../../emulator/toolchain/cost-table.ts";

const B = binaryen as any;
const FLASH_END = 65536;

// name -> builder of one store of that form at address 16 (offset 0) or 8 (offset 8)
function storeForms(m: any): Record<string, () => number> {
  const at = (a = 16) => m.i32.const(a);
  const v128 = () => m.v128.const(new Array(16).fill(0xab));
  const forms: Record<string, () => number> = {
    "i32.store": () => m.i32.store(0, 4, at(), m.i32.const(1)),
    "i32.store8": () => m.i32.store8(0, 1, at(), m.i32.const(1)),
    "i32.store16": () => m.i32.store16(0, 2, at(), m.i32.const(1)),
    "i32.store offset=8": () => m.i32.store(8, 4, at(8), m.i32.const(1)),
    "i64.store": () => m.i64.store(0, 8, at(), m.i64.const(1n)),
    "i64.store8": () => m.i64.store8(0, 1, at(), m.i64.const(1n)),
    "i64.store16": () => m.i64.store16(0, 2, at(), m.i64.const(1n)),
    "i64.store32": () => m.i64.store32(0, 4, at(), m.i64.const(1n)),
    "f32.store": () => m.f32.store(0, 4, at(), m.f32.const(1)),
    "f64.store": () => m.f64.store(0, 8, at(), m.f64.const(1)),
    "v128.store": () => m.v128.store(0, 16, at(), v128()),
    "memory.fill": () => m.memory.fill(at(), m.i32.const(0xab), m.i32.const(4)),
    "memory.copy": () => m.memory.copy(at(), m.i32.const(FLASH_END), m.i32.const(4)),
  };
  // Every lane store binaryen knows, found by name so a new one is not missed.
  for (const op of Object.keys(B.Operations).filter((k) => /^Store\d+LaneVec128$/.test(k))) {
    const fn = op.replace(/^Store(\d+)LaneVec128$/, "store$1_lane");
    forms[`v128.${fn}`] = () => m.v128[fn](0, 1, 0, at(), v128());
  }
  return forms;
}

test("every store form binaryen can emit faults on a write to flash, as i32.store does", async (t) => {
  const costs = loadCostTable("cortex-m7").cycles;
  const probe = new B.Module();
  const names = Object.keys(storeForms(probe));
  probe.dispose();
  t.true(
    names.filter((n) => n.endsWith("_lane")).length >= 4,
    "the four lane stores are enumerated",
  );
  for (const name of names) {
    const m = new B.Module();
    m.setFeatures(B.Features.All);
    m.setMemory(2, 2, "memory");
    const form = storeForms(m)[name];
    m.addFunction("main", B.none, B.none, [], m.block(null, [form(), m.return()]));
    m.addFunctionExport("main", "main");
    meterModule(B, m, { costs, flashEnd: FLASH_END });
    t.true(m.validate() === 1 || m.validate() === true, `${name}: metered module validates`);
    const wasm = m.emitBinary();
    m.dispose();
    let fault: number | null = null;
    const { instance } = await WebAssembly.instantiate(wasm, {
      "tinyboard:meter": {
        tick: () => {},
        "flash-write": (addr: number, off: number) => {
          fault = addr + off;
          throw new Error("flash-write");
        },
        grow: () => -1,
      },
    } as any);
    const mem = (instance.exports as any).memory as WebAssembly.Memory;
    t.throws(
      () => (instance.exports as any).main(),
      { message: "flash-write" },
      `${name} reached flash unguarded`,
    );
    t.not(fault, null, name);
    t.true(
      new Uint8Array(mem.buffer, 0, 64).every((b) => b === 0),
      `${name}: flash is unchanged`,
    );
  }
});
