/**
 * Which microphones a run has: the board's own (boards/<id>.json "microphones") followed by an
 * add-on array's (`--mic-array NAME|FILE.json`; bundled arrays in boards/mic-arrays/).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { BOARDS_DIR, type Board, type MicPosition } from "../../board.ts";
import { InputError } from "../../inputs/accel-source.ts";
import { MIC_KIND } from "../../hal-constants.ts";
import type { MicGeometry } from "../../inputs/mic-source.ts";

export const MIC_ARRAYS_DIR = path.join(BOARDS_DIR, "mic-arrays");

export interface MicArray {
  name: string;
  description: string;
  mics: MicPosition[];
}

/** The microphones of a run, as the peripheral and the inputs see them. */
export interface MicLayout extends MicGeometry {
  /** 0 none, 1 PDM receiver, 2 SAI bit stream (hal.wit mic.kind). */
  readonly kind: 0 | 1 | 2;
  readonly mics: readonly MicPosition[];
  readonly boardCount: number;
  readonly addOn: MicArray | null;
  /** Channels the interface takes. */
  readonly maxChannels: number;
}

export function bundledMicArrays(): string[] {
  return readdirSync(MIC_ARRAYS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads an add-on array by bundled name or file; a bad one is a one-line InputError. */
export function loadMicArray(spec: string, cwd = process.cwd()): MicArray {
  const isFile = spec.endsWith(".json") || spec.includes("/");
  const file = isFile ? path.resolve(cwd, spec) : path.join(MIC_ARRAYS_DIR, `${spec}.json`);
  if (!existsSync(file)) {
    throw new InputError(
      isFile
        ? `--mic-array ${spec}: file not found`
        : `--mic-array ${spec}: no such bundled array (bundled: ${bundledMicArrays().join(", ")}; or give a .json file)`,
    );
  }
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`--mic-array ${spec}: not valid JSON (${(e as Error).message})`);
  }
  const bad = (why: string): never => {
    throw new InputError(`--mic-array ${spec}: ${why}`);
  };
  if (typeof raw !== "object" || raw === null || !Array.isArray(raw.mics))
    bad(`expected {"name", "mics": [{"name", "positionMm": [x, y, z]}, ...]}`);
  if (raw.mics.length < 1 || raw.mics.length > 16) bad(`${raw.mics.length} microphones (1..16)`);
  const mics: MicPosition[] = raw.mics.map((m: any, i: number) => {
    const p = m?.positionMm;
    if (
      !Array.isArray(p) ||
      p.length !== 3 ||
      !p.every((v: unknown) => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= 10_000)
    ) {
      bad(`mics[${i}].positionMm must be [x, y, z] in mm (within 10 m)`);
    }
    return {
      name: typeof m.name === "string" ? m.name : `M${i + 1}`,
      positionMm: [p[0], p[1], p[2]],
    };
  });
  return {
    name: typeof raw.name === "string" ? raw.name : path.basename(file, ".json"),
    description: String(raw.description ?? ""),
    mics,
  };
}

export function micLayout(board: Board, addOn: MicArray | null): MicLayout {
  const spec = board.microphones;
  const own = spec?.mics ?? [];
  const mics = [...own, ...(addOn?.mics ?? [])];
  const kind = !spec
    ? MIC_KIND.none
    : spec.interface === "pdm-receiver"
      ? MIC_KIND.pdmReceiver
      : MIC_KIND.saiBitstream;
  if (addOn && !spec)
    throw new InputError(
      `--mic-array ${addOn.name}: board ${board.id} has no microphone interface`,
    );
  const maxChannels = spec?.maxChannels ?? 0;
  if (mics.length > maxChannels) {
    throw new InputError(
      `--mic-array ${addOn?.name}: ${board.id}'s ${spec!.interface} takes ${maxChannels} microphones; the board has ${own.length} and the array adds ${addOn?.mics.length ?? 0}`,
    );
  }
  return {
    kind,
    mics,
    boardCount: own.length,
    addOn,
    maxChannels,
    positionsMm: mics.map((m) => m.positionMm),
    cameraAxisDeg: spec?.cameraAxisDeg ?? 0,
  };
}
