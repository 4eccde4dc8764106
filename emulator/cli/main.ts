// tinyboard's command line. Errors a user can act on print one line and exit non-zero.
import { Command, CommanderError } from "commander";
import { UserError } from "../errors.ts";
import { boardsCommand } from "./boards.ts";
import { buildCommand, sizeCommand } from "./build.ts";
import { flashCommand, runCommand } from "./run.ts";
import { demoCommand } from "./demo.ts";
import { modelBenchCommand, modelInspectCommand } from "./model.ts";
import { parseCycles, parseSeconds, parseWatchdogMs, MAX_EMULATED_SECONDS } from "./options.ts";

const program = new Command("tinyboard")
  .description("Build AssemblyScript ML firmware against real board budgets and run it on emulated NXP boards")
  // Usage errors (unknown option, missing argument) are user errors too: one line.
  .configureOutput({ outputError: (str, write) => write(`tinyboard: error: ${str.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim()}\n`) })
  .exitOverride();

const collect = (v: string, prev: string[]) => [...prev, v];

program.command("boards").description("list the boards with cores, clocks, SRAM, flash and NPU")
  .option("--json", "print JSON").action(boardsCommand);

program.command("build").description("compile an app for a board and print its memory report")
  .argument("<app>", "app folder (with app.json)")
  .requiredOption("-b, --board <board>", "board id (see 'tinyboard boards')")
  .option("--core <core>", "core to build for (default: the board's first core)")
  .option("-o, --out <file>", "image file to write (default: build/<app>-<board>.tbi)")
  .option("--json", "print the memory report as JSON")
  .action(buildCommand);

program.command("size").description("memory report of an image; with --board, check it against other boards")
  .argument("<image>", "image file (.tbi)")
  .option("-b, --board <board>", "board to check against (repeatable)", collect, [])
  .option("--json", "print JSON")
  .action(sizeCommand);

program.command("flash").description("write an image (or build and write an app) into a persistent emulated board")
  .argument("<target>", "image file or app folder")
  .requiredOption("-b, --board <board>", "board id")
  .option("--core <core>", "core (default: the board's first)")
  .option("--state <dir>", "board state directory (default: .tinyboard/<board>)")
  .action(flashCommand);

program.command("run").description("boot what is flashed (building and flashing an app or image first if given) and run it")
  .argument("[target]", "image file or app folder")
  .requiredOption("-b, --board <board>", "board id")
  .option("--core <core>", "core (default: the board's first)")
  .option("--state <dir>", "board state directory (default: .tinyboard/<board>)")
  .option("-s, --seconds <n>", `emulated seconds to run (default: the app's; at most ${MAX_EMULATED_SECONDS} without --forever)`, parseSeconds)
  .option("--forever", "no limit on the emulated time (stop with Ctrl-C)")
  .option("-i, --input <peripheral=spec>", "feed a peripheral from a file or generator, e.g. accel=trace.csv, camera=photos/ (repeatable)", collect, [])
  .option("--sdcard <img>", "use this SD card image instead of the board's")
  .option("--watchdog <ms>", "arm the watchdog from reset", parseWatchdogMs)
  .option("--max-cycles <n>", "stop with a fault after this many busy cycles (a cycle budget)", parseCycles)
  .option("--json", "print the run summary as JSON")
  .option("-q, --quiet", "do not print the console output")
  .option("--trace <file>", "write a Chrome trace event / Perfetto timeline (CPU busy/idle, layers, NPU jobs, peripheral events)")
  .option("--profile", "print the per-layer and per-function cycle tables")
  .action(runCommand);

program.command("debug").description("debug an app or image: layer, op, line, fault and cycle breakpoints, step through the inference, inspect tensors against a float reference")
  .argument("<target>", "image file or app folder")
  .requiredOption("-b, --board <board>", "board id")
  .option("--core <core>", "core (default: the board's first)")
  .option("-s, --seconds <n>", `emulated seconds to run at most (default: the app's; at most ${MAX_EMULATED_SECONDS})`, parseSeconds)
  .option("-i, --input <peripheral=spec>", "feed a peripheral from a file or generator (repeatable)", collect, [])
  .option("--sdcard <img>", "SD card image (default: none)")
  .option("--cpu-only", "leave the board's NPU out")
  .action(async (spec, opts) => (await import("./debug.ts")).debugCommand(spec, opts));

program.command("dap").description("a Debug Adapter Protocol server on stdin/stdout (for VS Code; see docs/debugger.md)")
  .option("--server <port>", "serve the protocol on a TCP port instead (write it as --server=4711), for launch.json's debugServer")
  .action(async () => (await import("./dap.ts")).dapCommand());

program.command("demo").description("build, flash and run the bundled apps on every board (what 'npm start' runs)")
  .option("-s, --seconds <n>", "emulated seconds per run", parseSeconds)
  .action(demoCommand);

// Models: `model inspect` reads a .tflite file; other model subcommands sit beside it.
const modelCommand = program.command("model").description("inspect and benchmark TFLite models on the boards");

modelCommand.command("inspect").description("per-layer shapes, MACs, weights, arena plan and NPU estimate; flash and SRAM fit per board")
  .argument("<model>", ".tflite model file")
  .option("-b, --board <board>", "board for the timing columns (default: rt1060 for the CPU, with the first board that has an NPU for the NPU column)")
  .option("--json", "print JSON")
  .option("--no-measure", "do not run the model on the board's CPU to measure cycles per layer")
  .action(modelInspectCommand);

modelCommand.command("bench").description("run a model on an emulated board: latency per layer and in total (CPU and NPU), MACs/cycle, arena, outputs")
  .argument("<model>", ".tflite model file")
  .requiredOption("-b, --board <board>", "board id (see 'tinyboard boards')")
  .option("-i, --input <file>", "raw bytes of the input tensor(s), as the fixtures store them (default: zeros)")
  .option("-o, --output <file>", "write the raw bytes of the output tensor(s)")
  .option("--cpu-only", "run every layer on the CPU, even on a board with an NPU")
  .option("--json", "print the report as JSON")
  .action(modelBenchCommand);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  const err = e as Error;
  if (err instanceof UserError || err?.name === "InputError") {
    process.stderr.write(`tinyboard: error: ${err.message}\n`);
    process.exit(err instanceof UserError ? err.exitCode : 1);
  }
  process.stderr.write(`tinyboard: internal error: ${err?.message ?? err}\n`);
  if (process.env.TINYBOARD_DEBUG) process.stderr.write(`${err?.stack}\n`);
  process.exit(70);
}
