// The HAL's numbers have one source (emulator/hal-constants.ts): the firmware's copy is
// generated from it, and hal.wit's event lines are the ones the peripherals raise.
import test from "ava";
import { readFileSync } from "node:fs";
import { EVENT_LINE } from "../../emulator/hal-constants.ts";
import { PERIPHERALS } from "../../emulator/peripherals/registry.ts";
import { HAL_DIR, generatedModules, withGeneratedBlock } from "../../emulator/toolchain/hal-constants-gen.ts";

test("hal/*.ts carry the generated constants as generated (npm run gen:hal)", (t) => {
  for (const module of generatedModules()) {
    const source = readFileSync(`${HAL_DIR}${module}.ts`, "utf8");
    t.is(withGeneratedBlock(source, module), source, `hal/${module}.ts is up to date`);
  }
});

test("every event line hal.wit declares is raised by a peripheral, and no other", (t) => {
  const wit = readFileSync(`${HAL_DIR}hal.wit`, "utf8");
  const declared = /\/\/\/ Lines: (.*)\./.exec(wit)![1].split(", ").map((s) => s.split(" "));
  t.deepEqual(Object.fromEntries(declared.map(([bit, name]) => [name, Number(bit)])), EVENT_LINE);
  const raised = PERIPHERALS.flatMap((p) => p.lines.map((line) => [p.name, line]));
  t.deepEqual(Object.fromEntries(raised), EVENT_LINE, "each line belongs to the peripheral of its name");
});
