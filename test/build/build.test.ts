// Build and image: memory layout, the ld-style report, budgets, image integrity.
import test from "ava";
import path from "node:path";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { decodeImage, encodeImage } from "../../emulator/toolchain/image.ts";
import { fitLine, formatReport, memoryReport, needsOf } from "../../emulator/toolchain/memory-report.ts";
import { layoutFlash, PAGE } from "../../emulator/toolchain/flash-layout.ts";
import { sectionSizes } from "../../emulator/toolchain/compile.ts";
import { built, tempDir } from "../helpers/tools.ts";
import { heapBytesFor, imageInputs, loadApp, projectInput, resolveInput } from "../../emulator/toolchain/app.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

test("an image lays out flash then SRAM, with wasm maximum memory = SRAM exactly", async (t) => {
  for (const board of ["rt1060", "rt1170", "mcxn947"]) {
    const { image } = await built("apps/sensor-logger", board);
    const { layout } = image.manifest;
    const target = loadTarget(board);
    t.is(layout.sramBytes, target.sramBytes);
    t.is(layout.flashWindow % PAGE, 0);
    t.is(layout.sramBase, layout.flashWindow);
    const mod = await WebAssembly.compile(image.wasm as BufferSource);
    const mem = WebAssembly.Module.exports(mod).find((e) => e.name === "memory");
    t.truthy(mem);
    t.is(layout.maxPages * PAGE, layout.flashWindow + target.sramBytes);
    t.true(layout.staticEnd > layout.sramBase && layout.staticEnd < layout.sramBase + 64 * 1024);
    const limits = sectionSizes(image.wasm);
    t.is(limits.memoryMax, layout.maxPages, "declared maximum = flash window + SRAM");
    t.true(limits.memoryMin * PAGE >= layout.staticEnd);
  }
});

test("the memory report has GNU ld's layout, one row per region", async (t) => {
  const { report } = await built("apps/sensor-logger", "rt1060");
  const text = formatReport(report);
  const lines = text.split("\n");
  t.is(lines[0], "Memory region         Used Size  Region Size  %age Used");
  t.deepEqual(lines.slice(1, 6).map((l) => l.trim().split(":")[0]), ["BOARD_FLASH", "SRAM_DTC", "SRAM_OC2", "SRAM_OC", "SRAM_ITC"]);
  t.regex(lines[1], /^\s+BOARD_FLASH:\s+\d+ B\s+8 MB\s+\d+\.\d\d%$/);
  t.regex(lines[2], /^\s+SRAM_DTC:\s+\d+ B\s+128 KB\s+\d+\.\d\d%$/);
  t.true(report.fits);
  t.is(report.flash.used, report.breakdown.code + report.breakdown.data + report.breakdown.partitions);
  t.is(report.sram.heap, 8192, "sensor-logger's app.json heapBytes");
  t.is(report.sram.used, report.sram.static + report.sram.heap + report.sram.stack);
  t.is(lines[6], `SRAM ${report.sram.used} B = static ${report.sram.static} B + heap 8192 B + stack 8192 B`);
});

test("a model partition's arena is planned on the host and counted in SRAM, as its own report line", async (t) => {
  const { report, image } = await built("test/fixtures/apps/sine-model", "rt1060");
  const [model] = report.sram.models;
  t.is(model.partition, "model");
  // The host plan of the model's tensors, as test/model/planner.test.ts checks it against the firmware's.
  const { readModel } = await import("../../emulator/model/tflite-model.ts");
  const { planArena } = await import("../../emulator/model/planner.ts");
  const plan = planArena(readModel(readFileSync(path.join(PROJECT_ROOT, "apps/hello-model/model/sine_int8.tflite"))));
  // The head holds the planned tensors (and scratch, records); the tail the engine's persistent data.
  t.true(model.headBytes! >= plan.tensorBytes + 16, `head ${model.headBytes} B, tensors ${plan.tensorBytes} B`);
  t.true(model.tailBytes! > 0);
  t.is(model.arenaBytes, model.headBytes! + model.tailBytes!);
  t.is(report.sram.heap, 0, "sine-model's app.json declares no heap");
  t.is(report.sram.used, report.sram.static + model.arenaBytes + report.sram.stack);
  t.is(image.manifest.usage.sramBytes, report.sram.used);
  const text = formatReport(report);
  t.regex(text, new RegExp(`^SRAM ${report.sram.used} B = static ${report.sram.static} B \\+ heap ${model.arenaBytes} B \\+ stack 8192 B$`, "m"));
  t.regex(text, new RegExp(`^  model 'model' arena ${model.arenaBytes} B `, "m"));
  t.regex(text, /^ {2}heap not declared \(app\.json heapBytes\): counted as the model arenas only/m);
});

test("fit lines compare an image's needs against other boards", async (t) => {
  const { image } = await built("apps/sensor-logger", "rt1060");
  const needs = { ...needsOf(image.manifest), sramBytes: 640 * 1024 };
  t.deepEqual(fitLine(needs, loadTarget("rt1170")), { fits: true, line: "fits on rt1170" });
  t.deepEqual(fitLine(needs, loadTarget("mcxn947")), { fits: false, line: "does not fit on mcxn947: SRAM needs 640 KB, has 512 KB" });
  const r = memoryReport(needs, loadTarget("mcxn947"));
  t.false(r.fits);
  t.regex(r.problems[0], /SRAM overflowed by 131072 bytes/);
  // Static data spills from the first SRAM region into the next.
  t.deepEqual(r.regions.map((g) => g.used), [needs.flashBytes, 416 * 1024, 96 * 1024]);
});

test("partition table: aligned partitions with names, sizes and CRCs", (t) => {
  const a = new Uint8Array(100).fill(1);
  const b = new Uint8Array(70000).fill(2);
  const { flash, window, partitions } = layoutFlash([{ name: "model", data: a }, { name: "labels.txt", data: b }]);
  t.is(Buffer.from(flash.subarray(0, 4)).toString(), "TBPT");
  const v = new DataView(flash.buffer);
  t.is(v.getUint32(8, true), 2);
  t.is(partitions[0].offset % 64, 0);
  t.is(partitions[1].offset % 64, 0);
  t.is(v.getUint32(16 + 16, true), partitions[0].offset);
  t.is(v.getUint32(48 + 20, true), 70000);
  t.is(flash[partitions[1].offset + 69999], 2);
  t.is(window, 2 * PAGE);
  t.throws(() => layoutFlash([{ name: "a name that is far too long", data: a }]));
});

test("images round-trip and damage is detected", async (t) => {
  const { image } = await built("apps/sensor-logger", "mcxn947");
  const bytes = encodeImage(image);
  const back = decodeImage(bytes);
  t.deepEqual(back.manifest, image.manifest);
  t.deepEqual(Buffer.from(back.wasm), Buffer.from(image.wasm));
  t.throws(() => decodeImage(bytes.subarray(0, bytes.length - 10), "x.tbi"), { message: /x\.tbi is not a valid tinyboard image: truncated/ });
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 5000] ^= 0xff;
  t.throws(() => decodeImage(flipped, "y.tbi"), { message: /damaged|CRC/ });
  t.throws(() => decodeImage(Buffer.from("hello world, not an image"), "z"), { message: /wrong magic/ });
  const dir = tempDir();
  writeFileSync(path.join(dir, "a.tbi"), bytes);
  t.is(readFileSync(path.join(dir, "a.tbi")).length, bytes.length);
});

test("code size comes from the wasm code section", async (t) => {
  const { image } = await built("apps/sensor-logger", "rt1060");
  const s = sectionSizes(image.wasm);
  t.is(s.code, image.manifest.usage.codeBytes);
  t.true(s.code > 1000 && s.code < image.wasm.length);
});

test("builds are reproducible: same sources, same image bytes", async (t) => {
  const { buildApp } = await import("../../emulator/toolchain/build.ts");
  // Both compiled (the build cache bypassed), then a third from the cache: all the same bytes.
  const a = await buildApp("apps/sensor-logger", loadTarget("rt1170"), { cache: false });
  const b = await buildApp("apps/sensor-logger", loadTarget("rt1170"), { cache: false });
  t.false(a.cached || b.cached);
  t.deepEqual(Buffer.from(encodeImage(a.image)), Buffer.from(encodeImage(b.image)));
  const c = await buildApp("apps/sensor-logger", loadTarget("rt1170"));
  t.true(c.cached);
  t.deepEqual(Buffer.from(encodeImage(c.image)), Buffer.from(encodeImage(a.image)));
});

test("the build cache serves an unchanged app and recompiles when any source it read changes, even outside the app's folder", async (t) => {
  const { buildApp } = await import("../../emulator/toolchain/build.ts");
  const root = tempDir("tinyboard-cache-");
  const app = path.join(root, "app");
  const lib = path.join(root, "lib");
  mkdirSync(app);
  mkdirSync(lib);
  writeFileSync(path.join(app, "app.json"), JSON.stringify({ name: "cache-probe", boards: ["rt1060"], stackBytes: 4096 }));
  writeFileSync(path.join(app, "main.ts"), `import * as console from "${path.relative(app, path.join(PROJECT_ROOT, "hal/console")).split(path.sep).join("/")}";\nimport { VALUE } from "../lib/value";\nexport function main(): void { console.println(VALUE.toString()); }\n`);
  writeFileSync(path.join(lib, "value.ts"), "export const VALUE: i32 = 1;\n");
  const target = loadTarget("rt1060");
  // onCompile (the demo's progress line) is called for a compile, never for a cache hit.
  let compiles = 0;
  const onCompile = () => compiles++;
  const first = await buildApp(app, target, { onCompile });
  const again = await buildApp(app, target, { onCompile });
  t.true(again.cached, "unchanged: from the cache");
  t.is(compiles, 1, "onCompile: once for the compile, not for the cache hit");
  t.deepEqual(Buffer.from(encodeImage(again.image)), Buffer.from(encodeImage(first.image)));
  writeFileSync(path.join(lib, "value.ts"), "export const VALUE: i32 = 2;\n");
  const changed = await buildApp(app, target);
  t.false(changed.cached, "a source outside the app's folder changed: compiled");
  t.true((await buildApp(app, target)).cached);
  const forced = await buildApp(app, target, { cache: false, onCompile });
  t.false(forced.cached, "--rebuild compiles");
  t.is(compiles, 2, "onCompile: called for --rebuild's compile");
  rmSync(root, { recursive: true, force: true });
});

test("an image records its app's input files relative to the project root, and runs them from any folder", (t) => {
  const app = loadApp(path.join(PROJECT_ROOT, "apps/fan-monitor"));
  const recorded = projectInput(app, "data/demo.csv,loop");
  t.is(recorded, "apps/fan-monitor/data/demo.csv,loop");
  t.deepEqual(imageInputs({ accel: recorded, other: "gen:rest" }), { accel: resolveInput(app, "data/demo.csv,loop"), other: "gen:rest" });
});

test("two processes building the same app at once compile it once; a lock left by a dead process is taken over", async (t) => {
  const { spawn } = await import("node:child_process");
  const cache = tempDir("tinyboard-cache-");
  const out = tempDir("tinyboard-out-");
  const env = { ...process.env, TINYBOARD_BUILD_CACHE: cache };
  const build = (n: number) => new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin/tinyboard.js"), "build", path.join(PROJECT_ROOT, "test/fixtures/apps/spin"), "--board", "rt1060", "-o", path.join(out, `${n}.tbi`)], { env });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.stderr.on("data", (d) => (text += d));
    p.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
  });
  const outputs = await Promise.all([build(1), build(2)]);
  t.is(outputs.filter((o) => o.includes("from the build cache")).length, 1, outputs.join("\n"));
  t.deepEqual(readFileSync(path.join(out, "1.tbi")), readFileSync(path.join(out, "2.tbi")));
  t.deepEqual(readdirSync(cache).filter((f) => f.endsWith(".lock")), [], "locks released");
  // A killed build's lock (its pid no longer runs) does not block the next build.
  const key = readdirSync(cache).find((f) => f.endsWith(".tbi"))!.slice(0, -4);
  rmSync(path.join(cache, `${key}.tbi`));
  writeFileSync(path.join(cache, `${key}.lock`), "999999999");
  t.notRegex(await build(3), /from the build cache/);
  t.false(existsSync(path.join(cache, `${key}.lock`)));
  rmSync(cache, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

test("heapBytes is a number or one per board ('*' for the rest); anything else is one line naming the field", (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "main.ts"), "export function main(): void {}\n");
  const write = (heapBytes: unknown) => writeFileSync(path.join(dir, "app.json"), JSON.stringify({ name: "heap", heapBytes }));
  write({ "*": 4096, mcxn947: 8192 });
  const app = loadApp(dir);
  t.is(heapBytesFor(app, "mcxn947"), 8192);
  t.is(heapBytesFor(app, "rt1060"), 4096);
  write(12288);
  t.is(heapBytesFor(loadApp(dir), "rt1170"), 12288);
  write({ mcxn947: 8192 });
  t.is(heapBytesFor(loadApp(dir), "rt1060"), 0, "undeclared for this board");
  for (const bad of [-1, 1.5, "big", [4096], { rt1060: -8 }]) {
    write(bad);
    t.throws(() => loadApp(dir), { message: /'heapBytes' must be a non-negative integer/ }, JSON.stringify(bad));
  }
});
