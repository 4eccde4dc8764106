// The build cache serves an image only for the sources it was compiled from: the record beside
// an entry holds the hash of each source as the compiler read it, so a file edited while a
// compile ran (the image built from the old text) is rebuilt, not served as the new text's.
import test from "ava";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileOnce, readCached, writeCached } from "../../emulator/toolchain/build-cache.ts";
import type { Image, ImageManifest } from "../../emulator/toolchain/image.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const image: Image = {
  // A manifest the image schema accepts (the cache reads back only valid images).
  manifest: {
    format: 2, app: "probe", board: "rt1060", core: "cm7", coreType: "cortex-m7", clockHz: 600e6,
    build: {},
    layout: { flashWindow: 65536, sramBase: 65536, sramBytes: 65536 * 16, maxPages: 17, staticEnd: 70000, stackBytes: 4096 },
    usage: {}, partitions: [], meter: null, defaults: { inputs: {}, seconds: 1 },
  } as unknown as ImageManifest,
  wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]),
  flash: new Uint8Array(16),
  sourceMap: null,
};

test.serial("an entry is served while its sources hold the text the compiler read, and not after an edit", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-cache-"));
  const before = process.env.TINYBOARD_BUILD_CACHE;
  process.env.TINYBOARD_BUILD_CACHE = path.join(dir, "cache");
  try {
    const source = path.join(dir, "main.ts");
    writeFileSync(source, "export const a = 1;\n");
    writeCached("k1", image, { [source]: sha("export const a = 1;\n") });
    t.deepEqual([...(readCached("k1")?.wasm ?? [])], [...image.wasm]);
    writeFileSync(source, "export const a = 2;\n");
    t.is(readCached("k1"), null, "an edited source invalidates the entry");

    // The race: the compiler read the old text, the file changed before the entry was written.
    writeCached("k2", image, { [source]: sha("export const a = 1;\n") });
    t.is(readCached("k2"), null, "the entry records what was compiled, not the file as it is now");
  } finally {
    if (before === undefined) delete process.env.TINYBOARD_BUILD_CACHE;
    else process.env.TINYBOARD_BUILD_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("builds of one key side by side in one process compile once, however long it takes", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-cache-"));
  const before = process.env.TINYBOARD_BUILD_CACHE;
  process.env.TINYBOARD_BUILD_CACHE = path.join(dir, "cache");
  try {
    // A compile longer than the lock wait (20 ms here, minutes in use: debug-lines' side-by-side
    // model-app compiles under load) must not be compiled again by this process's next build.
    let entry: string | null = null;
    let compiles = 0;
    const compile = async () => {
      compiles++;
      await new Promise((r) => setTimeout(r, 300));
      return (entry = `image ${compiles}`);
    };
    const builds = [1, 2, 3].map(() => compileOnce("dedupe", () => entry, compile, 20));
    t.deepEqual(await Promise.all(builds), ["image 1", "image 1", "image 1"]);
    t.is(compiles, 1);
  } finally {
    if (before === undefined) delete process.env.TINYBOARD_BUILD_CACHE;
    else process.env.TINYBOARD_BUILD_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial("another live process's compile is waited for; a dead process's lock is taken over", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-cache-"));
  const before = process.env.TINYBOARD_BUILD_CACHE;
  const cache = path.join(dir, "cache");
  process.env.TINYBOARD_BUILD_CACHE = cache;
  try {
    mkdirSync(cache, { recursive: true });
    const entry = path.join(dir, "entry.txt");
    const cached = () => (existsSync(entry) ? readFileSync(entry, "utf8") : null);
    let compiles = 0;
    const compile = async () => {
      compiles++;
      return "compiled here";
    };
    // A holder in another process: takes the lock, "compiles" for 1.5 s, writes the entry, unlocks.
    const lock = path.join(cache, "shared.lock");
    const holder = spawn(process.execPath, [
      "-e",
      `const fs = require("node:fs");
       fs.writeFileSync(${JSON.stringify(lock)}, String(process.pid), { flag: "wx" });
       setTimeout(() => { fs.writeFileSync(${JSON.stringify(entry)}, "compiled there"); fs.unlinkSync(${JSON.stringify(lock)}); }, 1500);`,
    ]);
    const exited = new Promise((r) => holder.on("exit", r));
    while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 20));
    t.is(await compileOnce("shared", cached, compile, 60_000), "compiled there");
    t.is(compiles, 0, "the waiter read the holder's entry");
    await exited;

    // A lock whose process is gone (the holder's pid, now dead) is taken over at once.
    writeFileSync(path.join(cache, "stale.lock"), String(holder.pid));
    const started = Date.now();
    t.is(await compileOnce("stale", () => null, compile, 60_000), "compiled here");
    t.is(compiles, 1);
    t.true(Date.now() - started < 30_000, "no wait for a dead holder");
  } finally {
    if (before === undefined) delete process.env.TINYBOARD_BUILD_CACHE;
    else process.env.TINYBOARD_BUILD_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
});
