// Compiles the CLI's TypeScript ahead of time with esbuild (the compiler tsx runs on each file
// as it loads), so that bin/tinyboard.js can start without tsx's loader (compiled-cli.js says
// when). One bundle per entry, split into shared chunks so a command loads only its modules;
// packages stay in node_modules. Each build goes to a folder of its own, named in
// build/cli-js/current.json with the digest of every file it read: a process still running an
// older build keeps its files (builds older than an hour that are not current are removed).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MANIFEST_FORMAT, cliBuildDir, inputsDigest } from "./compiled-cli.js";

/** The entries: the CLI (bin/tinyboard.js) and the debug adapter (bin/tinyboard-dap.js). */
const ENTRIES = { cli: "emulator/cli/main.ts", dap: "emulator/cli/dap.ts" };
/** The worker threads: the boot file the TypeScript starts (it registers tsx in the thread)
 *  and the module it boots, which the compiled CLI starts instead (emulator/compiled.ts). */
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

/** Each module runs from its bundle but must see its own file as `import.meta.url`: the
 *  project's files (boards/, hal/, the speech clips) are found relative to it. Records what
 *  it read: the manifest's digest is of the bytes compiled, not of a later edit. */
function sourceUrlPlugin(read) {
  return {
    name: "source-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts|js|mjs|json)$/ }, (args) => {
        const bytes = readFileSync(args.path);
        read.set(args.path, bytes);
        if (args.path.endsWith(".json")) return { contents: bytes, loader: "json" };
        const url = JSON.stringify(pathToFileURL(args.path).href);
        const contents = bytes.toString("utf8").replaceAll("import.meta.url", url);
        return { contents, loader: /\.m?ts$/.test(args.path) ? "ts" : "js" };
      });
    },
  };
}

/** Compiles the entries and workers into `dir`; returns the files read, with their bytes. */
async function compile(root, dir) {
  const esbuild = await import("esbuild");
  const fileUrl = (rel) => pathToFileURL(path.join(root, rel)).href;
  const read = new Map();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      ...ENTRIES,
      ...Object.fromEntries(WORKERS.map((w) => [`${w.name}-main`, w.entry])),
    },
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
    plugins: [sourceUrlPlugin(read)],
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
    const bytes = read.get(path.join(root, file));
    if (!bytes) throw new Error(`cli-build: ${file} was compiled without being recorded`);
    return { file, bytes };
  });
}

/** Builds the compiled CLI from the sources under `root` and makes it the current one;
 *  returns its folder. */
export async function buildCli(root) {
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const dir = path.join(cliBuildDir(root), id);
  mkdirSync(dir, { recursive: true });
  const config = CONFIG.map((file) => ({ file, bytes: readFileSync(path.join(root, file)) }));
  let sources;
  try {
    sources = await compile(root, dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const inputs = [...config, ...sources];
  const manifest = {
    format: MANIFEST_FORMAT,
    root,
    dir: id,
    inputs: inputs.map((i) => i.file),
    digest: inputsDigest(inputs),
  };
  const file = path.join(cliBuildDir(root), "current.json");
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(`${file}.${process.pid}`, file);
  removeOldBuilds(root, id);
  return { dir };
}

function removeOldBuilds(root, current) {
  const base = cliBuildDir(root);
  for (const name of readdirSync(base)) {
    const p = path.join(base, name);
    if (name === current || !statSync(p).isDirectory()) continue;
    if (Date.now() - statSync(p).mtimeMs > KEEP_OLD_BUILDS_MS)
      rmSync(p, { recursive: true, force: true });
  }
}

// `node bin/cli-build.js`: build now (the CLI otherwise builds on its first run).
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { dir } = await buildCli(path.resolve(fileURLToPath(new URL("..", import.meta.url))));
  console.log(path.relative(process.cwd(), dir));
}
