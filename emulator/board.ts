// Boards are data: <id>.json in boards/ (or a folder named by TINYBOARD_BOARDS), validated against boards/board.schema.json.
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { schemaValidator, type Validator } from "./schema-validator.ts";
import { UserError } from "./errors.ts";
import { readRegularFile } from "./host-files.ts";

/** Board files are small: anything larger is not one (and is not read whole). */
const MAX_BOARD_FILE = 1 << 20;

export const BOARDS_DIR = fileURLToPath(new URL("../boards/", import.meta.url));

export type CoreType = "cortex-m7" | "cortex-m33" | "cortex-m4";

export interface MemoryRegion {
  name: string;
  kind: "sram" | "flash" | "sdram";
  base: number;
  size: number;
  note?: string;
}

export interface CoreSpec {
  id: string;
  type: CoreType;
  clockHz: number;
  maxClockHz?: number;
  sram: string[];
  note?: string;
}

export interface NpuSpec {
  name: string;
  macsPerCycle: number;
  clockHz: number;
  ops: string[];
  /** NPU cycles per job: driver hand-off and the NPU's own start-up. */
  setupCycles: number;
  /** NPU cycles per layer of a job (its command and tiling set-up). */
  layerCycles: number;
  /** Activation bytes (in and out) moved per NPU cycle. */
  bytesPerCycle: number;
  /** Weight bytes read per NPU cycle from where the model lies (in place in flash). */
  weightBytesPerCycle: number;
  /** Input channels the MAC array reduces over at once; a layer with fewer wastes the rest. */
  channelVector: number;
  /** Fraction of the MAC rate a depthwise layer reaches (no reduction across channels). */
  depthwiseEfficiency: number;
  note?: string;
  sources?: string[];
}

export interface SdCardTiming {
  commandUs: number;
  readMBps: number;
  writeMBps: number;
  writeBusyUs: number;
}

/** A timing constant and where it comes from (a document, or "estimate" and why). */
export interface Timed {
  value: number;
  source: string;
}

/** Driver and bus timing the peripherals charge (boards/*.json "timing"). */
export interface DriverTiming {
  /** Core cycles of every HAL call's entry and return (machine.ts). */
  halCallCycles: Timed;
  consoleWriteCycles: Timed;
  consoleCyclesPerByte: Timed;
  /** Per accelerometer configure, start or FIFO read, before the bus transfer. */
  accelDriverCycles: Timed;
  /** The accelerometer's I2C clock. */
  i2cHz: Timed;
  /** Per camera configure, start or stop. */
  cameraDriverCycles: Timed;
  /** Per SD card transfer, before the card's own time (sdcard). */
  sdcardDriverCycles: Timed;
  /** Words per channel the DMA moves after a microphone buffer's last sample. */
  micFifoWatermarkWords: Timed;
  /** A constant another peripheral declares (PeripheralModule.timing; registry.ts checks them). */
  [constant: string]: Timed;
}

export interface MicPosition {
  name: string;
  positionMm: [number, number, number];
}

/** The board's microphone interface and its own microphones (boards/*.json "microphones"). */
export interface MicrophoneSpec {
  interface: "pdm-receiver" | "sai-bitstream";
  maxChannels: number;
  mics: MicPosition[];
  driverCycles: number;
  dmaCyclesPerWord: number;
  sources: string[];
  /** The camera's optical axis in the microphones' frame, degrees from +x towards +y (0 when
   *  absent): the product's mounting choice (emulator/inputs/av-scene/scene.ts). */
  cameraAxisDeg?: number;
  cameraAxisNote?: string;
  note?: string;
}

/** Core cycles per cache line in one memory region (boards/*.json "memoryTiming"). */
export interface RegionTiming {
  /** A line read in a sequential stream (the controller's prefetch or open row helping). */
  lineCycles: number;
  /** A stream's first line (command, address, row activation). */
  firstLineCycles: number;
  /** A dirty line written back. */
  writeLineCycles: number;
  /** Bytes of the cache in front of the region; 0: every access goes to the region. */
  cacheBytes: number;
  source: string;
}

export interface MemoryTiming {
  dataCache: { bytes: number; lineBytes: number; ways: number; source: string } | null;
  regions: Record<string, RegionTiming>;
  note?: string;
}

export interface Board {
  id: string;
  name: string;
  soc: string;
  sources: string[];
  notes: string[];
  cores: CoreSpec[];
  memory: MemoryRegion[];
  flash: MemoryRegion;
  npu: NpuSpec | null;
  leds: string[];
  sdcard: SdCardTiming;
  timing: DriverTiming;
  peripherals: Record<string, string>;
  /** Absent: the board has no microphone interface. */
  microphones?: MicrophoneSpec;
  /** Per-region access costs; absent: every region costs as zero-wait TCM. */
  memoryTiming?: MemoryTiming;
}

/** A board with the core that runs the firmware chosen. */
export interface Target {
  board: Board;
  core: CoreSpec;
  /** The core's SRAM regions in allocation order. */
  sram: MemoryRegion[];
  sramBytes: number;
}

let validator: Validator | undefined;
function validate(json: unknown): string | null {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(BOARDS_DIR, "board.schema.json"), "utf8"));
    validator = schemaValidator(schema);
  }
  if (validator(json)) return null;
  const e = validator.errors![0];
  return `${e.instancePath || "(root)"} ${e.message}`;
}

/** The variable naming more board folders, as PATH does (`dir1:dir2`; `;` on Windows). */
export const BOARD_PATH_VAR = "TINYBOARD_BOARDS";

/**
 * Where boards are looked up, in order: the project's boards/, then each folder in
 * TINYBOARD_BOARDS, so a user's own board needs its JSON file and nothing else.
 */
export function boardDirs(): string[] {
  const extra = (process.env[BOARD_PATH_VAR] ?? "")
    .split(path.delimiter)
    .filter((d) => d !== "")
    .map((d) => path.resolve(d));
  return [BOARDS_DIR, ...extra.filter((d) => d !== path.resolve(BOARDS_DIR))];
}

/** Board id -> its file, the first folder of boardDirs() that has it winning. */
function boardFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of boardDirs()) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UserError(`${BOARD_PATH_VAR} names ${dir}, which is not a folder`);
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith(".json") || f === "board.schema.json") continue;
      const id = f.slice(0, -5);
      if (!files.has(id)) files.set(id, path.join(dir, f));
    }
  }
  return files;
}

export function boardIds(): string[] {
  return [...boardFiles().keys()].sort();
}

/** Loads a board by id ("rt1060") or by the path of a board file. */
export function loadBoard(idOrPath: string): Board {
  const isPath = idOrPath.endsWith(".json") || idOrPath.includes("/");
  const file = isPath ? idOrPath : boardFiles().get(idOrPath);
  if (!file || !existsSync(file)) {
    throw new UserError(`unknown board '${idOrPath}' (known boards: ${boardIds().join(", ")})`);
  }
  const text = readRegularFile(file, "board file", MAX_BOARD_FILE).toString("utf8");
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8's message can quote the file over several lines: keep the first.
    throw new UserError(
      `board file ${file} is not valid JSON: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  const problem = validate(raw);
  if (problem) throw new UserError(`board file ${file} is malformed: ${problem}`);
  // An image records the board's id and is run by it later: the id must find this file again.
  if (!isPath && raw.id !== idOrPath)
    throw new UserError(
      `board file ${file} has id '${raw.id}': a board file is named after its id (${raw.id}.json)`,
    );
  const memory: MemoryRegion[] = raw.memory.map((m: any) => ({ ...m, base: parseInt(m.base, 16) }));
  const byName = new Map(memory.map((m) => [m.name, m]));
  const flash = byName.get(raw.flash);
  if (!flash || flash.kind !== "flash")
    throw new UserError(
      `board file ${file} is malformed: flash '${raw.flash}' is not a flash region`,
    );
  for (const core of raw.cores as CoreSpec[]) {
    for (const r of core.sram) {
      if (byName.get(r)?.kind !== "sram")
        throw new UserError(
          `board file ${file} is malformed: core ${core.id} lists '${r}', which is not an SRAM region`,
        );
    }
  }
  for (const r of Object.keys(raw.memoryTiming?.regions ?? {})) {
    if (!byName.has(r))
      throw new UserError(
        `board file ${file} is malformed: memoryTiming names '${r}', which is not a memory region`,
      );
  }
  return { notes: [], peripherals: {}, ...raw, memory, flash };
}

export function selectCore(board: Board, coreId?: string): Target {
  const core = coreId ? board.cores.find((c) => c.id === coreId) : board.cores[0];
  if (!core)
    throw new UserError(
      `board ${board.id} has no core '${coreId}' (cores: ${board.cores.map((c) => c.id).join(", ")})`,
    );
  const sram = core.sram.map((n) => board.memory.find((m) => m.name === n)!);
  return { board, core, sram, sramBytes: sram.reduce((s, r) => s + r.size, 0) };
}

export function loadTarget(idOrPath: string, coreId?: string): Target {
  return selectCore(loadBoard(idOrPath), coreId);
}
