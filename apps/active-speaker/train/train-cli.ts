// The command line of train:active-speaker (train.ts's header lists its options): a bad value
// is one line and exit code 2.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { train } from "./train.ts";
import { DETECTOR_SHARE, MEETINGS, RESIDUAL, STEPS, SYNC } from "./train-options.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseScriptArgs("train:active-speaker", {
  options: {
    smoke: { type: "boolean", default: false },
    epochs: { type: "string" },
    out: { type: "string" },
    scenes: { type: "string" },
    seconds: { type: "string" },
    mismatch: { type: "string" },
    sync: { type: "boolean" },
    "no-sync": { type: "boolean" },
    steps: { type: "boolean" },
    residual: { type: "boolean" },
    "no-residual": { type: "boolean" },
    "no-steps": { type: "boolean" },
    meetings: { type: "string" },
    validation: { type: "string" },
    "hard-weight": { type: "string" },
    "detector-share": { type: "string" },
    "jitter-share": { type: "string" },
    seed: { type: "string" },
    average: { type: "string" },
    candidates: { type: "boolean", default: false },
  },
});
// A numeric option, undefined when not given; out of range: one line and exit code 2.
const num = (name: keyof typeof values, ok: (x: number) => boolean, range: string) => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (ok(x)) return x;
  console.error(`train: --${name} must be ${range}, got '${raw}'`);
  process.exit(2);
};
const whole = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;
const mismatch = num("mismatch", (x) => x >= 0 && x < 1, "at least 0 and below 1");
const hardWeight = num("hard-weight", (x) => x >= 1 && x <= 20, "1..20");
const detectorShare = num("detector-share", (x) => x >= 0 && x <= 1, "0..1");
const jitterShare = num(
  "jitter-share",
  (x) => x >= 0 && x + (detectorShare ?? DETECTOR_SHARE) <= 1,
  "0..1 and with --detector-share at most 1",
);
const meetings = num("meetings", whole(2, 200), "2..200");
const validation = num("validation", whole(0, (meetings ?? MEETINGS) - 1), "0..meetings-1");
const scenes = num("scenes", whole(1, 200), "1..200");
const seconds = num("seconds", (x) => x >= 2 && x <= 60, "2..60");
const seed = num("seed", whole(1, 2 ** 31 - 1), "a positive whole number");
const smoke = values.smoke ?? false;
const epochs = num("epochs", whole(1, 1000), "a positive integer") ?? (smoke ? 1 : 7);
const average = num("average", whole(0, epochs), `0..epochs (${epochs})`);
const outDir = path.resolve(values.out ?? path.join(APP_DIR, "model"));
const started = Date.now();
await train({
  smoke,
  epochs,
  outDir,
  log: (s) => console.log(s),
  scenes,
  seconds,
  mismatch,
  sync: values["no-sync"] ? false : (values.sync ?? SYNC),
  steps: values["no-steps"] ? false : (values.steps ?? STEPS),
  meetings,
  validation,
  residual: values["no-residual"] ? false : (values.residual ?? RESIDUAL),
  hardWeight,
  detectorShare,
  jitterShare,
  seed,
  average,
  candidates: values.candidates,
});
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
