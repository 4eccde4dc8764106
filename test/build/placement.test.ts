// app.json "placement": the arena, frame buffer and model in named regions, checked by the
// build (names, kinds, sizes: one line each) and shown per region in the memory report.
import test from "ava";
import path from "node:path";
import { rmSync, writeFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { loadApp } from "../../emulator/toolchain/app.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { formatReport, memoryReport, type Needs } from "../../emulator/toolchain/memory-report.ts";
import { manifestProblem } from "../../emulator/toolchain/image-manifest.ts";
import { placementFor } from "../../emulator/memory-hierarchy/placement.ts";
import { tempDir } from "../helpers/tools.ts";

const needs = (placement?: Needs["placement"]): Needs => ({
  flashBytes: 300_000,
  sramBytes: 200_000,
  staticBytes: 20_000,
  stackBytes: 16_384,
  codeBytes: 50_000,
  dataBytes: 4_000,
  partitionBytes: 246_000,
  heapBytes: 163_616,
  models: [{ partition: "model", arenaBytes: 120_000 }],
  placement,
  modelBytes: 240_000,
});

function appDir(t: { teardown(f: () => void): void }, placement: unknown): string {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "main.ts"), "export function main(): void {}\n");
  writeFileSync(path.join(dir, "app.json"), JSON.stringify({ name: "placed", placement }));
  return dir;
}

test("app.json placement: per board or '*', a region name or { region, bytes }; anything else is one line", (t) => {
  const dir = appDir(t, { "*": { arena: "SRAM_OC" }, mcxn947: { arena: { region: "SRAM", bytes: 4096 } } });
  const app = loadApp(dir);
  t.deepEqual(placementFor(app.placement, "rt1060"), { arena: { region: "SRAM_OC" } });
  t.deepEqual(placementFor(app.placement, "mcxn947"), { arena: { region: "SRAM", bytes: 4096 } });
  t.is(placementFor(loadApp(appDir(t, undefined)).placement, "rt1060"), undefined);
  for (const [bad, why] of [
    ["SRAM_OC", /'placement' must be/],
    [{ "*": { weights: "SRAM_OC" } }, /unknown item 'weights'/],
    [{ "*": { arena: 7 } }, /arena must be a region name/],
    [{ "*": { arena: { region: "SRAM_OC", bytes: -1 } } }, /arena must be a region name/],
  ] as const) {
    const e = t.throws(() => loadApp(appDir(t, bad)), { message: why }, JSON.stringify(bad));
    t.false(e!.message.includes("\n"));
  }
});

test("the build refuses a region the board lacks or of the wrong kind, in one line naming app.json, before compiling", async (t) => {
  const target = loadTarget("rt1060");
  for (const [placement, why] of [
    [{ "*": { arena: "SRAM_OC1" } }, /arena in 'SRAM_OC1', which rt1060 does not have \(regions: SRAM_ITC/],
    [{ "*": { arena: "BOARD_FLASH" } }, /arena in BOARD_FLASH, a flash region/],
    [{ "*": { frameBuffer: "BOARD_SDRAM" } }, /frameBuffer needs its size/],
  ] as const) {
    const e = await t.throwsAsync(buildApp(appDir(t, placement), target), { message: why });
    t.regex(e!.message, /app\.json: placement/);
    t.false(e!.message.includes("\n"));
  }
  // The M4's TCM is not the M7's memory.
  await t.throwsAsync(buildApp(appDir(t, { "*": { arena: "SRAM_CM4_TCM" } }), loadTarget("rt1170")), {
    message: /core cm7 does not use/,
  });
});

test("the memory report shows placed bytes in their regions and the rest of SRAM in allocation order", (t) => {
  const target = loadTarget("rt1060");
  const plain = memoryReport(needs(), target);
  t.is(plain.regions.find((r) => r.name === "SRAM_DTC")!.used, 131072, "today: DTCM fills first");
  t.false(plain.regions.some((r) => r.name === "BOARD_SDRAM"));
  const r = memoryReport(
    needs({ arena: { region: "BOARD_SDRAM" }, frameBuffer: { region: "SRAM_OC", bytes: 38_400 }, model: { region: "SRAM_OC2" } }),
    target,
  );
  t.true(r.fits, r.problems.join("; "));
  const used = (name: string) => r.regions.find((g) => g.name === name)!.used;
  t.is(used("BOARD_SDRAM"), 120_000, "the arena");
  t.is(used("SRAM_OC2"), 240_000, "the model copied to RAM");
  // SRAM 200,000 - arena 120,000 - frame buffer 38,400 = 41,600: DTCM holds the rest.
  t.is(used("SRAM_DTC"), 41_600);
  t.is(used("SRAM_OC"), 38_400);
  const text = formatReport(r);
  t.regex(text, /BOARD_SDRAM:/);
  t.regex(text, /placed: arena in BOARD_SDRAM 120000 B/);
  t.regex(text, /placed: model in SRAM_OC2 \(copied from flash at start-up, 240000 B\)/);
  const inPlace = memoryReport(needs({ model: { region: "BOARD_FLASH" } }), target);
  t.regex(formatReport(inPlace), /model in BOARD_FLASH \(read in place\)/);
});

test("a placed item larger than its region is one problem line; so is the SRAM left beside it", (t) => {
  const target = loadTarget("rt1060");
  const r = memoryReport(needs({ arena: { region: "SRAM_DTC", bytes: 200_000 } }), target);
  t.false(r.fits);
  t.deepEqual(r.problems, [
    "SRAM_DTC overflowed by 68928 bytes (placed arena 196 KB, has 128 KB)",
  ]);
  const two = memoryReport(
    needs({ arena: { region: "SRAM_DTC" }, frameBuffer: { region: "SRAM_DTC", bytes: 20_000 } }),
    target,
  );
  t.deepEqual(two.problems, [
    "SRAM_DTC overflowed by 8928 bytes (placed arena 118 KB + frameBuffer 20 KB, has 128 KB)",
  ]);
});

test("an image's placement is checked like the rest of its manifest", (t) => {
  const base = {
    format: 2, app: "a", board: "rt1060", core: "cm7", coreType: "cortex-m7", clockHz: 600e6,
    build: {},
    layout: { flashWindow: 65536, sramBase: 65536, sramBytes: 65536 * 16, maxPages: 17, staticEnd: 70000, stackBytes: 4096 },
    usage: {}, partitions: [], meter: null, defaults: { inputs: {}, seconds: 1 },
  };
  t.is(manifestProblem({ ...base, placement: { arena: { region: "BOARD_SDRAM" } } }), null);
  t.truthy(manifestProblem({ ...base, placement: { arena: { region: "../etc" } } }));
  t.truthy(manifestProblem({ ...base, placement: { stack: { region: "SRAM_DTC" } } }));
  t.truthy(manifestProblem({ ...base, placement: { arena: { region: "SRAM_DTC", bytes: -4 } } }));
});

test("a model kept in another flash (the MCX N947's external QSPI) is counted there", (t) => {
  const r = memoryReport(needs({ model: { region: "QSPI_FLASH" } }), loadTarget("mcxn947"));
  t.is(r.regions.find((g) => g.name === "QSPI_FLASH")?.used, 240_000);
  t.regex(formatReport(r), /placed: model in QSPI_FLASH \(read in place\)/);
});
