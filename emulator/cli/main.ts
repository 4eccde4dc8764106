// tinyboard's command line. Errors a user can act on print one line and exit non-zero.
import { Command, CommanderError, Help, type Option } from "commander";
import { UserError } from "../errors.ts";
import { boardsCommand } from "./boards.ts";
// Each command's module loads when the command runs: `build` of an unchanged app then starts
// without the emulator, its peripherals and their decoders.
const lazy =
  <M, K extends keyof M>(load: () => Promise<M>, name: K) =>
  async (...args: unknown[]): Promise<void> => {
    await ((await load())[name] as (...a: unknown[]) => unknown)(...args);
  };
const buildModule = () => import("./build.ts");
const runModule = () => import("./run.ts");
const modelModule = () => import("./model.ts");
import { boardIds } from "../board.ts";
import { createRequire } from "node:module";

const VERSION = createRequire(import.meta.url)("../../package.json").version as string;
const BOARD_HELP = `board id, required: ${boardIds().join(", ")} (see 'tinyboard boards')`;
const INPUT_HELP = `
Input specs (--input PERIPHERAL=SPEC, repeatable; default: the app's app.json "inputs"):
  accel=trace.csv            a recorded trace: time-stamped rows (t, t_ms or t_us column, then
                             x,y,z in g or x_ms2,y_ms2,z_ms2 in m/s^2), or fixed-rate x,y,z rows
  accel=trace.csv,rate=100   ... fixed-rate rows at 100 Hz (else a '# rate_hz=N' comment in the
                             file, else 200 Hz, and the run says it assumed 200 Hz)
  accel=trace.csv,loop       ... repeated (default: the last value holds)
  accel=gen:rest             generators: gen:rest[,orient=z,noise=0.002,seed=1],
  accel=gen:sine,freq=50     gen:sine,freq=HZ,amp=G,axis=x|y|z, gen:off|on|clogged|friction
                             (fan vibration, e.g. gen:friction,rpm=1800)
  camera=photo.png           one still scene (PNG, JPEG or BMP)
  camera=photos/             every picture in the folder in name order, one a second
  camera=photos/,fps=10      ... at 10 pictures a second; ',loop' repeats; ',fit=cover' fills
                             the sensor (default contain: the whole picture, black around)
  mic=clip.wav               close talk: a mono WAV heard by every microphone, or one channel per
                             microphone; any rate (resampled); ',loop', ',gain=-6' (dB)
  mic=scene.json             a far-field room (talkers, noise, reverberation); also inline:
  mic=scene:speech=yes.wav,az=30,dist=2.5,rt60=0.4,noise=babble,snr=5
  scene=meeting.json         camera and microphones from one audio-visual scene: people at seats
                             with speech, distractors, off-screen talkers (emulator/inputs/av-scene/)
  --mic-array linear4-35mm   attach an add-on array (also sln-local2-tri, or a JSON file)`;
import {
  parseCycles,
  parseJobs,
  parseSeconds,
  parseWatchdogMs,
  MAX_EMULATED_SECONDS,
} from "./options.ts";

const program = new Command("tinyboard")
  .description(
    "Build AssemblyScript ML firmware against real board budgets and run it on emulated NXP boards",
  )
  // Usage errors (unknown option, missing argument) are user errors too: one line.
  .configureOutput({
    outputError: (str, write) =>
      write(
        `tinyboard: error: ${str
          .replace(/^error: /, "")
          .replace(/\s*\n\s*/g, " ")
          .trim()
          .replace(/^(unknown command '[^']*')$/, "$1 (--help lists the commands)")}\n`,
      ),
  })
  .version(VERSION, "-V, --version", "print the tinyboard version")
  .exitOverride();

const collect = (v: string, prev: string[]) => [...prev, v];

program
  .command("boards")
  .description("list the boards with cores, clocks, SRAM, flash and NPU")
  .option("--json", "print JSON")
  .action(boardsCommand);

program
  .command("new")
  .description("start an app: a new folder from the starting template or a copy of an app")
  .argument(
    "<dir>",
    "the new app's folder inside the project, e.g. apps/my-app (its name names the app)",
  )
  .option(
    "--from <app>",
    "copy this app instead: a bundled app's name (hello-model, fan-monitor, ...) or a folder",
  )
  .action(lazy(() => import("./new-app.ts"), "newCommand"));

program
  .command("build")
  .description("compile an app for a board and print its memory report")
  .argument("<app>", "app folder (with app.json)")
  .requiredOption("-b, --board <board>", BOARD_HELP)
  .option("--core <core>", "core to build for (default: the board's first core)")
  .option(
    "-o, --out <file>",
    "image file to write (default: build/<app>-<board>.tbi; build/<app>-<board>-<core>.tbi for another core)",
  )
  .option("--json", "print the memory report as JSON")
  .option("--rebuild", "compile even if the build cache (build/cache/) holds this build")
  .option(
    "--option <NAME=VALUE>",
    "set a build option app.json declares in 'options' (repeatable), e.g. BEAM=0",
    collect,
    [],
  )
  .option(
    "--partition <NAME=FILE>",
    "add a flash partition to app.json's, or replace the one of that name (repeatable), e.g. dtln=apps/voice-control/model/dtln_noise_suppression.tflite",
    collect,
    [],
  )
  .option(
    "--debug-lines",
    "insert statement hooks for the debugger (breakpoints on any line, line steps, locals); same cycles as the release build",
  )
  .action(lazy(buildModule, "buildCommand"));

program
  .command("size")
  .description("memory report of an image; with --board, check it against other boards")
  .argument("<image>", "image file (.tbi)")
  .option("-b, --board <board>", "board to check against (repeatable)", collect, [])
  .option("--json", "print JSON")
  .action(lazy(buildModule, "sizeCommand"));

program
  .command("flash")
  .description("write an image (or build and write an app) into a persistent emulated board")
  .argument("<target>", "image file or app folder")
  .requiredOption("-b, --board <board>", BOARD_HELP)
  .option("--core <core>", "core (default: the board's first)")
  .option(
    "--state <dir>",
    "board state directory (default: .tinyboard/<board> in the project the current folder is in)",
  )
  .option("--rebuild", "compile even if the build cache holds this build")
  .option(
    "--option <NAME=VALUE>",
    "set a build option app.json declares in 'options' (repeatable), e.g. BEAM=0",
    collect,
    [],
  )
  .option(
    "--partition <NAME=FILE>",
    "add a flash partition to app.json's, or replace the one of that name (repeatable), e.g. dtln=apps/voice-control/model/dtln_noise_suppression.tflite",
    collect,
    [],
  )
  .action(lazy(runModule, "flashCommand"));

program
  .command("run")
  .description(
    "boot what is flashed (building and flashing an app or image first if given) and run it",
  )
  .argument("[target]", "image file or app folder")
  .requiredOption("-b, --board <board>", BOARD_HELP)
  .option("--core <core>", "core (default: the board's first)")
  .option(
    "--state <dir>",
    "board state directory (default: .tinyboard/<board> in the project the current folder is in)",
  )
  .option(
    "-s, --seconds <n>",
    `emulated seconds to run (default: the app's; at most ${MAX_EMULATED_SECONDS} without --forever)`,
    parseSeconds,
  )
  .option(
    "--option <NAME=VALUE>",
    "set a build option app.json declares in 'options' (repeatable), e.g. BEAM=0",
    collect,
    [],
  )
  .option(
    "--partition <NAME=FILE>",
    "add a flash partition to app.json's, or replace the one of that name (repeatable), e.g. dtln=apps/voice-control/model/dtln_noise_suppression.tflite",
    collect,
    [],
  )
  .option("--forever", "no limit on the emulated time (stop with Ctrl-C)")
  .option(
    "-i, --input <peripheral=spec>",
    "feed a peripheral from a file or generator, e.g. accel=trace.csv, camera=photos/, mic=clip.wav (repeatable)",
    collect,
    [],
  )
  .option(
    "--mic-array <name|file.json>",
    "attach an add-on microphone array (bundled: linear4-35mm, sln-local2-tri)",
  )
  .option("--sdcard <img>", "use this SD card image instead of the board's")
  .option("--watchdog <ms>", "arm the watchdog from reset", parseWatchdogMs)
  .option(
    "--max-cycles <n>",
    "stop with a fault after this many busy cycles (a cycle budget)",
    parseCycles,
  )
  .option("--json", "print the run summary as JSON")
  .option("-q, --quiet", "do not print the console output")
  .option(
    "--trace <file>",
    "write a Chrome trace event / Perfetto timeline (CPU busy/idle, layers, NPU jobs, peripheral events)",
  )
  .option("--profile", "print the per-layer and per-function cycle tables")
  .option("--cpu-only", "leave the board's NPU out (every layer on the CPU)")
  .option("--rebuild", "compile even if the build cache holds this build")
  .addHelpText("after", INPUT_HELP)
  .action(lazy(runModule, "runCommand"));

program
  .command("debug")
  .description(
    "debug an app or image: layer, op, line, fault and cycle breakpoints, step through the inference, inspect tensors against a float reference",
  )
  .argument("<target>", "image file or app folder")
  .requiredOption("-b, --board <board>", BOARD_HELP)
  .option("--core <core>", "core (default: the board's first)")
  .option(
    "-s, --seconds <n>",
    `emulated seconds to run at most (default: the app's; at most ${MAX_EMULATED_SECONDS})`,
    parseSeconds,
  )
  .option(
    "-i, --input <peripheral=spec>",
    "feed a peripheral from a file or generator (repeatable)",
    collect,
    [],
  )
  .option("--sdcard <img>", "SD card image (default: the board's, .tinyboard/<board>/sdcard.img)")
  .option("--no-sdcard", "run without an SD card")
  .option("--cpu-only", "leave the board's NPU out")
  .option("--rebuild", "compile even if the build cache holds this build")
  .option(
    "--no-debug-lines",
    "debug the release build (source lines only at sync points) instead of a --debug-lines build",
  )
  .addHelpText("after", INPUT_HELP)
  .action(async (spec, opts) => (await import("./debug.ts")).debugCommand(spec, opts));

program
  .command("dap")
  .description(
    "a Debug Adapter Protocol server on stdin/stdout (for VS Code; see docs/debugger.md)",
  )
  .option(
    "--server <port>",
    "serve the protocol on a TCP port instead (write it as --server=4711), for launch.json's debugServer",
  )
  .action(async () => (await import("./dap.ts")).dapCommand());

program
  .command("test")
  .description(
    "run scenario files: drive inputs, wait for and expect console lines, LEDs, SD card files, faults and budgets on emulated time",
  )
  .argument(
    "<scenarios...>",
    "scenario files (.yaml) or folders of them, e.g. scenarios/*.yaml or scenarios/",
  )
  .option("-b, --board <board>", "only this board of each scenario's (repeatable)", collect, [])
  .option("--junit <file>", "write a JUnit XML report for CI")
  .option("-j, --jobs <n>", "worker threads (default: the machine's cores)", (v: string) => {
    if (!/^[1-9]\d{0,2}$/.test(v.trim()))
      throw new UserError(`--jobs '${v}': expected a whole number of worker threads, 1 to 999`);
    return Number(v);
  })
  .option(
    "--trace-dir <dir>",
    "write a Chrome trace of each failing run here (the run is replayed, traced)",
  )
  .action(lazy(() => import("./test.ts"), "testCommand"));

program
  .command("demo")
  .description("build, flash and run the bundled apps on every board (what 'npm start' runs)")
  .option("-s, --seconds <n>", "emulated seconds per run (default: each app's)", parseSeconds)
  .option("-b, --board <board>", "only this board (repeatable)", collect, [])
  .option("-v, --verbose", "print every console line (default: the first few per run)")
  .option("--rebuild", "compile even if the build cache holds the builds")
  .option(
    "-j, --jobs <n>",
    "images not in the build cache compiled side by side before the runs (default: the host's cores, at most 4)",
    parseJobs,
  )
  .action(lazy(() => import("./demo.ts"), "demoCommand"));

// demo's side-by-side compiles (build-ahead.ts): one child per job, fed images on stdin.
program
  .command("build-worker", { hidden: true })
  .action(lazy(() => import("./build-ahead.ts"), "buildWorkerCommand"));

program
  .command("room-ir")
  .description(
    "write a far-field scene's room impulse responses (one channel per microphone) to a WAV file",
  )
  .argument("<scene>", "scene.json or scene:key=value,... (see README, Far-field scenes)")
  .requiredOption("-o, --out <file>", "WAV file to write")
  .option(
    "--mics <mm>",
    "microphone positions x,y,z;x,y,z;... in mm (default: 4 on a line, 35 mm apart)",
  )
  .option("--talker <n>", "source index: talkers first, then point noise sources (default 0)")
  .option("--format <f>", "s16 or f32 (default f32)")
  .action(async (spec, opts) => (await import("./room.ts")).roomIrCommand(spec, opts));

program
  .command("room-render")
  .description("render a far-field scene's microphone signals to a multichannel WAV file")
  .argument("<scene>", "scene.json or scene:key=value,...")
  .requiredOption("-o, --out <file>", "WAV file to write")
  .option(
    "--mics <mm>",
    "microphone positions x,y,z;x,y,z;... in mm (default: 4 on a line, 35 mm apart)",
  )
  .option("--format <f>", "s16 or f32 (default f32)")
  .action(async (spec, opts) => (await import("./room.ts")).roomRenderCommand(spec, opts));

const sceneCommand = program
  .command("scene")
  .description("audio-visual scenes (--input scene=meeting.json): export to look at");
sceneCommand
  .command("export")
  .description("write a scene's video (ffmpeg), microphone WAV and per-face ground truth CSV")
  .argument("<scene>", "meeting.json (see emulator/inputs/av-scene/)")
  .requiredOption("-o, --out <dir>", "folder to write NAME.mp4, NAME.wav and NAME.truth.csv into")
  .option("--size <WxH>", "frame size: 160x120, 320x240 (default) or 640x480")
  .option("--fps <n>", "video frames per second (default 15)")
  .option(
    "--mics <mm>",
    "microphone positions x,y,z;x,y,z;... in mm (default: 4 on a line, 35 mm apart)",
  )
  .option("--no-video", "write only the WAV and the ground truth")
  .action(async (spec, opts) => (await import("./scene.ts")).sceneExportCommand(spec, opts));

// Models: `model inspect` reads a .tflite file; other model subcommands sit beside it.
const modelCommand = program
  .command("model")
  .description("inspect and benchmark TFLite models on the boards");

modelCommand
  .command("inspect")
  .description(
    "per-layer shapes, MACs, weights, arena plan and NPU estimate; flash and SRAM fit per board",
  )
  .argument("<model>", ".tflite model file")
  .option(
    "-b, --board <board>",
    "board for the timing columns (default: rt1060 for the CPU, with the first board that has an NPU for the NPU column)",
  )
  .option("--json", "print JSON")
  .option("--no-measure", "do not run the model on the board's CPU to measure cycles per layer")
  .action(lazy(modelModule, "modelInspectCommand"));

modelCommand
  .command("ops")
  .description(
    "the operators the engine runs: int8/float32, other types, NPU eligibility and the TFLM rule each follows",
  )
  .option("--json", "print JSON")
  .action(lazy(modelModule, "modelOpsCommand"));

modelCommand
  .command("bench")
  .description(
    "run a model on an emulated board: latency per layer and in total (CPU and NPU), MACs/cycle, arena, outputs",
  )
  .argument("<model>", ".tflite model file")
  .requiredOption("-b, --board <board>", BOARD_HELP)
  .option(
    "-i, --input <file>",
    "raw bytes of the input tensor(s), as the fixtures store them (default: zeros)",
  )
  .option("-o, --output <file>", "write the raw bytes of the output tensor(s)")
  .option("--cpu-only", "run every layer on the CPU, even on a board with an NPU")
  .option("--json", "print the report as JSON")
  .action(lazy(modelModule, "modelBenchCommand"));

// Commander reports a missing required option before an unknown one, so "--bord rt1060" read
// as "--board not specified": name the unknown option (with commander's suggestion) first, and
// list the boards when --board is what is missing.
type OptionChecks = {
  args: string[];
  unknownOption(flag: string): void;
  missingMandatoryOptionValue(option: { long?: string; flags: string }): void;
  error(message: string, opts: { code: string }): never;
};
function explainOptions(cmd: Command): void {
  const c = cmd as unknown as OptionChecks;
  const missing = c.missingMandatoryOptionValue.bind(c);
  c.missingMandatoryOptionValue = (option) => {
    const unknown = c.args.find((a) => a.startsWith("-") && a.length > 1);
    if (unknown) c.unknownOption(unknown.split("=")[0]);
    if (option.long === "--board")
      c.error(
        `error: --board is required: ${boardIds().join(", ")} (e.g. --board rt1060; 'tinyboard boards' describes them)`,
        { code: "commander.missingMandatoryOptionValue" },
      );
    missing(option);
  };
  // A repeatable option starts as [], which help would print as "(default: [])".
  cmd.configureHelp({
    optionDescription(this: Help, option: Option) {
      const none = Array.isArray(option.defaultValue) && option.defaultValue.length === 0;
      return none ? option.description : Help.prototype.optionDescription.call(this, option);
    },
  });
  cmd.commands.forEach(explainOptions);
}
explainOptions(program);

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
