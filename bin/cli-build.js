// Compiles TypeScript ahead of time with esbuild (the compiler tsx runs on each file as it
// loads): the CLI, so that bin/tinyboard.js can start without tsx's loader (compiled-cli.js says
// when), and the test files, so that ava's workers can (test/helpers/compiled-tests.js). One
// bundle per entry, split into shared chunks so a process loads only its modules; packages stay
// in node_modules. Each build goes to a folder of its own under build/<kind>/, named in its
// current.json with every file it read (compiled-build.js): a process still running an older
// build keeps its files (builds older than an hour that are not current are removed).
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildBase, writeManifest } from "./compiled-build.js";

/** The CLI's entries: the CLI (bin/tinyboard.js) and the debug adapter (bin/tinyboard-dap.js). */
const CLI_ENTRIES = [
  { in: "emulator/cli/main.ts", out: "cli" },
  { in: "emulator/cli/dap.ts", out: "dap" },
];
/** The worker threads: the boot file the TypeScript starts (it registers tsx in the thread)
 *  and the module it boots, which compiled code starts instead (emulator/compiled.ts). */
export const WORKERS = [
  {
    name: "debug-worker",
    boot: "emulator/debug/worker-boot.mjs",
    entry: "emulator/debug/worker.ts",
  },
  {
    name: "scenario-worker",
    boot: "emulator/scenario/worker-boot.mjs",
    entry: "emulator/scenario/worker.ts",
  },
  {
    name: "verify-worker",
    boot: "emulator/toolchain/verify-worker-boot.mjs",
    entry: "emulator/toolchain/verify-worker.ts",
  },
];
/** Files that change the output besides the sources esbuild reads. */
const CONFIG = ["bin/cli-build.js", "tsconfig.json", "package.json"];
const KEEP_OLD_BUILDS_MS = 3_600_000;

/** Reads a file as an input of the build: its stat first, so that an edit after the stat
 *  shows in the next check (compiled-build.js). */
function readInput(root, file) {
  const p = path.join(root, file);
  const stat = statSync(p);
  return { file, stat, bytes: readFileSync(p) };
}

/** Each module runs from its bundle but must see its own file as `import.meta.url` (and
 *  `.dirname`, `.filename`): the project's files (boards/, hal/, the speech clips, fixtures)
 *  are found relative to it. Records what it read: the manifest is of the bytes compiled, not
 *  of a later edit. */
function sourceUrlPlugin(root, read) {
  return {
    name: "source-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts|js|mjs|json)$/ }, (args) => {
        const input = readInput(root, path.relative(root, args.path));
        read.set(args.path, input);
        if (args.path.endsWith(".json")) return { contents: input.bytes, loader: "json" };
        const contents = input.bytes
          .toString("utf8")
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path));
        return { contents, loader: /\.m?ts$/.test(args.path) ? "ts" : "js" };
      });
    },
  };
}

/** Compiles `entries` ({ in, out }) and the worker threads into `dir`; returns the inputs. */
async function compile(root, dir, entries) {
  const esbuild = await import("esbuild");
  const fileUrl = (rel) => pathToFileURL(path.join(root, rel)).href;
  const read = new Map();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [...entries, ...WORKERS.map((w) => ({ in: w.entry, out: `${w.name}-main` }))],
    outdir: dir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    packages: "external",
    chunkNames: "chunk-[hash]",
    // As tsx compiles: function and class names kept (errors are told apart by name), source
    // maps for stack traces (without the sources: Node reads them from disk).
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    define: {
      TINYBOARD_COMPILED_WORKERS: JSON.stringify(
        Object.fromEntries(
          WORKERS.map((w) => [fileUrl(w.boot), `${pathToFileURL(dir).href}/${w.name}.js`]),
        ),
      ),
    },
    metafile: true,
    logLevel: "silent",
    plugins: [sourceUrlPlugin(root, read)],
  });
  // A worker thread starts without the main thread's source maps: its starter turns them on
  // before its bundle loads (Node reads a module's map when it loads the module).
  for (const w of WORKERS)
    writeFileSync(
      path.join(dir, `${w.name}.js`),
      `process.setSourceMapsEnabled(true);\nawait import("./${w.name}-main.js");\n`,
    );
  // The define is an input too, named "<define:...>": it is this file's.
  const compiled = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("<"));
  return compiled.map((file) => {
    const input = read.get(path.join(root, file));
    if (!input) throw new Error(`cli-build: ${file} was compiled without being recorded`);
    return input;
  });
}

/**
 * Builds `entries` ({ in: source, out: name without .js }) from the sources under `root` into a
 * new folder under build/<kind>/ and makes it the current build; returns its folder. `config`:
 * more files the output depends on; `extra`: more fields for the manifest.
 */
export async function buildInto(root, kind, entries, config = [], extra = {}) {
  const readAtMs = Date.now();
  const id = `${readAtMs.toString(36)}-${process.pid}`;
  const dir = path.join(buildBase(root, kind), id);
  mkdirSync(dir, { recursive: true });
  const configInputs = [...CONFIG, ...config].map((file) => readInput(root, file));
  let sources;
  try {
    sources = await compile(root, dir, entries);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  writeManifest(root, kind, id, [...configInputs, ...sources], readAtMs, extra);
  removeOldBuilds(buildBase(root, kind), id);
  return dir;
}

/** Builds the compiled CLI and makes it the current one; returns its folder. */
export const buildCli = (root) => buildInto(root, "cli-js", CLI_ENTRIES);

function removeOldBuilds(base, current) {
  for (const name of readdirSync(base)) {
    const p = path.join(base, name);
    if (name === current || !statSync(p).isDirectory()) continue;
    if (Date.now() - statSync(p).mtimeMs > KEEP_OLD_BUILDS_MS)
      rmSync(p, { recursive: true, force: true });
  }
}

// `node bin/cli-build.js`: build now (the CLI otherwise builds on its first run).
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const dir = await buildCli(path.resolve(fileURLToPath(new URL("..", import.meta.url))));
  console.log(path.relative(process.cwd(), dir));
}
