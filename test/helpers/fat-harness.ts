// Minimal harness for testing firmware/fat32/ in isolation: compile an AssemblyScript
// test program, instantiate it with plain WebAssembly.instantiate and back the
// tinyboard:hal/sdcard imports with an image file on disk. (Not the board emulator.)

import asc from "assemblyscript/asc";
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BLOCK = 512;

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Compile an AS program (path relative to the repo root) once per process. */
export function compileProgram(entry: string): Promise<WebAssembly.Module> {
  let m = compiled.get(entry);
  if (!m) {
    m = (async () => {
      let wasm: Uint8Array | undefined;
      const stderr: string[] = [];
      const res = await asc.main(
        [
          entry,
          "hal/system.ts",
          "--baseDir",
          ROOT,
          "--outFile",
          "out.wasm",
          "--runtime",
          "stub",
          "--use",
          "abort=hal/system/abort",
          "--enable",
          "simd",
          "--optimizeLevel",
          "2",
          "--noColors",
        ],
        {
          writeFile: (name, contents) => {
            if (name.endsWith(".wasm")) wasm = contents as Uint8Array;
          },
          stderr: {
            write: (s: string | Uint8Array) => {
              stderr.push(String(s));
              return true;
            },
          } as never,
        },
      );
      if (res.error || !wasm)
        throw new Error(`asc failed for ${entry}: ${res.error?.message}\n${stderr.join("")}`);
      return WebAssembly.compile(new Uint8Array(wasm));
    })();
    compiled.set(entry, m);
  }
  return m;
}

/** Thrown by write-blocks when the simulated power cut hits. */
export class PowerCut extends Error {
  constructor() {
    super("power cut");
  }
}

/** An SD card backed by an image file; block I/O goes straight to the file. */
export class ImageCard {
  readonly fd: number;
  readonly blocks: number;
  blocksWritten = 0;
  blocksRead = 0;
  writeCalls = 0;
  /** Blocks that may still be written before the power fails (undefined = never fails). */
  powerCutAfter: number | undefined;

  constructor(readonly file: string) {
    this.fd = openSync(file, "r+");
    this.blocks = Math.floor(fstatSync(this.fd).size / BLOCK);
  }

  close(): void {
    closeSync(this.fd);
  }

  read(lba: number, count: number, dst: Uint8Array): number {
    if (lba + count > this.blocks) return -2;
    readSync(this.fd, dst, 0, count * BLOCK, lba * BLOCK);
    this.blocksRead += count;
    return 0;
  }

  write(lba: number, count: number, src: Uint8Array): number {
    if (lba + count > this.blocks) return -2;
    this.writeCalls++;
    let n = count;
    if (this.powerCutAfter !== undefined)
      n = Math.min(count, this.powerCutAfter - this.blocksWritten);
    // Blocks of a multi-block write land one after the other: a cut may leave the first few.
    if (n > 0) writeSync(this.fd, src, 0, n * BLOCK, lba * BLOCK);
    this.blocksWritten += n;
    if (n < count) throw new PowerCut();
    return 0;
  }
}

export interface Firmware {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  console: string[];
  card: ImageCard;
}

/** Instantiate a compiled program with the sdcard and console imports; all others throw. */
export async function instantiate(module: WebAssembly.Module, card: ImageCard): Promise<Firmware> {
  // Assigned once the instance exists; the imports below read it only when called.
  // eslint-disable-next-line prefer-const
  let memory: WebAssembly.Memory | undefined;
  const mem = () => new Uint8Array(memory!.buffer);
  const out: string[] = [];
  const sdcard: Record<string, (...args: any[]) => unknown> = {
    present: () => 1,
    "block-count": () => card.blocks,
    "read-blocks": (lba: number, count: number, ptr: number) =>
      card.read(lba >>> 0, count >>> 0, mem().subarray(ptr >>> 0, (ptr >>> 0) + count * BLOCK)),
    "write-blocks": (lba: number, count: number, ptr: number) =>
      card.write(lba >>> 0, count >>> 0, mem().subarray(ptr >>> 0, (ptr >>> 0) + count * BLOCK)),
  };
  const consoleImports: Record<string, (...args: any[]) => unknown> = {
    write: (ptr: number, len: number) => {
      out.push(Buffer.from(mem().subarray(ptr, ptr + len)).toString("utf8"));
    },
  };
  const asString = (ptr: number) => {
    if (!ptr) return "";
    const len = new Uint32Array(memory!.buffer, ptr - 4, 1)[0];
    return Buffer.from(mem().subarray(ptr, ptr + len)).toString("utf16le");
  };
  const imports: Record<string, Record<string, any>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.module === "tinyboard:hal/sdcard@0.1.0" && imp.name in sdcard)
      ns[imp.name] = sdcard[imp.name];
    else if (imp.module === "tinyboard:hal/console@0.1.0" && imp.name === "write")
      ns[imp.name] = consoleImports.write;
    else if (imp.module === "tinyboard:hal/system@0.1.0" && imp.name === "panic") {
      ns[imp.name] = (msg: number, file: number, line: number, col: number) => {
        throw new Error(`firmware abort: ${asString(msg)} at ${asString(file)}:${line}:${col}`);
      };
    } else if (imp.kind === "function") {
      ns[imp.name] = () => {
        throw new Error(`import ${imp.module}#${imp.name} is not provided by the FAT test harness`);
      };
    } else {
      throw new Error(`unexpected ${imp.kind} import ${imp.module}#${imp.name}`);
    }
  }
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  return { exports: instance.exports as Record<string, any>, memory, console: out, card };
}

// ---- host tools (mtools, dosfstools) ----

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

export const TOOLS_MISSING = ["mdir", "mcopy", "fsck.fat", "mkfs.fat"].filter((t) => !hasTool(t));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: Record<string, string> = {}): RunResult {
  // A card's log can run to megabytes: past spawnSync's 1 MB default buffer.
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1", ...env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `fsck.fat -n` (never modifies the image). */
export function fsck(image: string): RunResult {
  return run("fsck.fat", ["-n", image]);
}

/** Files and directories listed by `mdir` in `dir`: long name (or NAME.EXT) -> size (-1 for a directory). */
export function mdirSizes(image: string, dir: string): Map<string, number> {
  const r = run("mdir", ["-i", image, dir]);
  if (r.status !== 0) throw new Error(`mdir -i ${image} ${dir} failed: ${r.stderr}`);
  const sizes = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    // "NAME     EXT     12345 2024-01-01   0:00  optional long name" (fixed columns)
    const m = /^\s*(\d+|<DIR>)\s+\d{4}-\d\d-\d\d\s+\d+:\d\d\s?(.*)$/.exec(line.slice(12));
    if (!m || line.length < 13) continue;
    const base = line.slice(0, 8).trim();
    const ext = line.slice(9, 12).trim();
    const name = m[2].trim() || (ext ? `${base}.${ext}` : base);
    sizes.set(name, m[1] === "<DIR>" ? -1 : Number(m[1]));
  }
  return sizes;
}

export function mcopyOut(image: string, src: string, dest: string): void {
  execFileSync("mcopy", ["-n", "-o", "-i", image, src, dest], {
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
}

export function mcopyIn(image: string, src: string, dest: string): void {
  execFileSync("mcopy", ["-o", "-i", image, src, dest], {
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
}
