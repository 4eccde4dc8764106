// The debugger and the fault reports name the same line for every code offset (one rule,
// emulator/code-lines.ts): inside an inlined allocation (sram-runtime: ~lib's allocator inlined
// into main, asc leaves the statement no mapping of its own) both say the allocation's line.
// Before, the debugger walked back to the line before it.
import test from "ava";
import { SourceMapper } from "../../emulator/faults.ts";
import { CodeLines } from "../../emulator/code-lines.ts";
import { SourceLines } from "../../emulator/debug/source-lines.ts";
import { bodyAt, functionBodies } from "../../emulator/wasm-functions.ts";
import { build, lineOf } from "../faults/helpers.ts";

test("debugger source lines agree with fault reports at every offset of main, inlined code included", async (t) => {
  const { image } = await build("sram-runtime");
  const lines = await SourceLines.load(image.sourceMap, image.wasm);
  const mapper = new SourceMapper(image.sourceMap, image.wasm);
  // main's body: the function that holds main.ts's mapped lines.
  const fn = "test/fixtures/apps/sram-runtime/main/main";
  const file = "test/fixtures/apps/sram-runtime/main.ts";
  const code = await CodeLines.load(image.sourceMap, image.wasm);
  const mapped = code.mappings.find((m) => m.source === file);
  const body = mapped && bodyAt(functionBodies(image.wasm), mapped.offset);
  if (!body) return t.fail("main.ts has no mapped code");
  const offsets: number[] = [];
  for (let o = body.start; o < body.end; o++) offsets.push(o);
  const frames = offsets.map((offset) => ({ function: fn, offset }));
  const debuggerLines = lines.locate(frames);
  const faultLines = await mapper.locate(frames);
  const inMain = debuggerLines.filter((f) => f.file === file);
  t.true(inMain.length > 0);
  t.deepEqual(
    debuggerLines.map((f) => `${f.file}:${f.line}`),
    faultLines.map((f) => `${f.file}:${f.line}`),
  );
  t.true(
    inMain.some((f) => f.line === lineOf("sram-runtime", "ALLOC")),
    "some offset of main is the allocation's own line",
  );
});
