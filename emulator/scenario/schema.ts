// The JSON Schema of a scenario file (checked with ajv on the parsed YAML) and the types the
// runner works with once a file has passed it.
import type { FaultKind } from "../faults.ts";

const duration = {
  anyOf: [
    { type: "number", minimum: 0 },
    { type: "string", pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s)\\s*$" },
  ],
};
const size = {
  anyOf: [
    { type: "integer", minimum: 0 },
    { type: "string", pattern: "^\\s*\\d+(\\.\\d+)?\\s*(B|KB|MB)\\s*$" },
  ],
};
const range = (value: object) => ({
  type: "object",
  properties: { min: value, max: value },
  additionalProperties: false,
  minProperties: 1,
});
const led = {
  anyOf: [
    { type: "integer", minimum: 0 },
    { type: "string", minLength: 1 },
  ],
};

export const FAULT_KINDS: FaultKind[] = [
  "trap",
  "sram-exhausted",
  "heap-budget",
  "bad-hal-pointer",
  "flash-write",
  "watchdog",
  "cycle-budget",
  "panic",
  "stack-overflow",
  "not-implemented",
  "bad-hal-argument",
];

export const scenarioSchema = {
  type: "object",
  required: ["name", "steps"],
  properties: {
    name: { type: "string", minLength: 1 },
    app: { type: "string", minLength: 1 },
    image: { type: "string", minLength: 1 },
    boards: { type: "array", items: { type: "string" }, minItems: 1 },
    inputs: {
      type: "object",
      properties: {
        accel: { type: "string" },
        camera: { type: "string" },
        mic: { type: "string" },
        scene: { type: "string" },
      },
      additionalProperties: false,
    },
    micArray: { type: "string" },
    sdcard: { type: "string", minLength: 1 },
    timeout: duration,
    steps: { type: "array", minItems: 1, items: { type: "object" } },
  },
  additionalProperties: false,
};

export const STEP_KINDS = ["drive", "wait", "expect"] as const;

export const driveSchema = {
  type: "object",
  properties: {
    camera: { type: "string", minLength: 1 },
    accel: { type: "string", minLength: 1 },
    mic: { type: "string", minLength: 1 },
    sdcard: { enum: ["insert", "remove"] },
    pin: { type: "integer", minimum: 0 },
    level: { enum: ["high", "low"] },
    press: { type: "integer", minimum: 0 },
    for: duration,
  },
  additionalProperties: false,
  minProperties: 1,
  dependencies: { level: ["pin"], pin: ["level"], for: ["press"] },
};

export const waitSchema = {
  anyOf: [
    duration,
    {
      type: "object",
      properties: {
        for: duration,
        console: { type: "string", minLength: 1 },
        led,
        on: { type: "boolean" },
        fault: { enum: ["any", ...FAULT_KINDS] },
        inferences: { type: "integer", minimum: 1 },
        timeout: duration,
      },
      additionalProperties: false,
      minProperties: 1,
      dependencies: { on: ["led"], led: ["on"] },
    },
  ],
};

export const expectSchema = {
  type: "object",
  properties: {
    console: { type: "string", minLength: 1 },
    noConsole: { type: "string", minLength: 1 },
    led,
    on: { type: "boolean" },
    toggles: range({ type: "integer", minimum: 0 }),
    fault: { enum: ["none", ...FAULT_KINDS] },
    file: { type: "string", pattern: "^/" },
    matches: { type: "string", minLength: 1 },
    rows: range({ type: "integer", minimum: 0 }),
    absent: { type: "boolean" },
    cpuLoad: range({ type: "number", minimum: 0, maximum: 100 }),
    inferenceMs: range({ type: "number", minimum: 0 }),
    inferences: range({ type: "integer", minimum: 0 }),
    busyCycles: range({ type: "integer", minimum: 0 }),
    sramPeak: range(size),
  },
  additionalProperties: false,
  minProperties: 1,
  dependencies: {
    on: ["led"],
    toggles: ["led"],
    matches: ["file"],
    rows: ["file"],
    absent: ["file"],
  },
};

export interface Range {
  min?: number;
  max?: number;
}

export type Drive = {
  camera?: string;
  accel?: string;
  mic?: string;
  sdcard?: "insert" | "remove";
  pin?: number;
  level?: "high" | "low";
  press?: number;
  forMs?: number;
};

export type Wait =
  | { ms: number }
  | { console: RegExp; timeoutMs: number }
  | { led: number | string; on: boolean; timeoutMs: number }
  | { fault: FaultKind | "any"; timeoutMs: number }
  | { inferences: number; timeoutMs: number };

export interface Expect {
  console?: RegExp;
  noConsole?: RegExp;
  led?: number | string;
  on?: boolean;
  toggles?: Range;
  fault?: FaultKind | "none";
  file?: string;
  matches?: RegExp;
  rows?: Range;
  absent?: boolean;
  cpuLoad?: Range;
  inferenceMs?: Range;
  inferences?: Range;
  busyCycles?: Range;
  sramPeak?: Range;
}

export type Step = { line: number; text: string; name?: string } & (
  { drive: Drive } | { wait: Wait } | { expect: Expect }
);

export interface Scenario {
  /** The scenario file and the line its document starts on. */
  file: string;
  line: number;
  name: string;
  /** App folder or image file, absolute. */
  app?: string;
  image?: string;
  /** Boards named in the file (empty: the app's boards, or the image's). */
  boards: string[];
  /** Input specs, relative paths resolved against the scenario's folder. */
  inputs: Record<string, string>;
  micArray?: string;
  /** "blank" (a fresh card, the default), "none", or an image file copied for the run. */
  sdcard: string;
  /** Emulated time the scenario may take at most. */
  timeoutMs: number;
  steps: Step[];
}
