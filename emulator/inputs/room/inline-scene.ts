// The inline scene form, `scene:speech=yes.wav,az=30,rt60=0.4,noise=babble,snr=5`: one talker and
// one noise on the command line, turned into the scene.json object the validator checks.
import { InputError } from "../accel-source.ts";
import type { Raw } from "../scene-fields.ts";

// Inline keys -> scene.json fields.
const INLINE_KEYS = [
  "speech",
  "az",
  "dist",
  "elev",
  "start",
  "level",
  "room",
  "rt60",
  "absorption",
  "noise",
  "noiselevel",
  "snr",
  "seed",
  "duration",
  "rate",
  "loop",
  "at",
];

/** `scene:speech=yes.wav,az=30,dist=2.5,rt60=0.4,noise=babble,snr=5` as a raw scene object. */
export function inlineToRaw(spec: string): Raw {
  const label = `scene '${spec}'`;
  const kv = new Map<string, string>();
  for (const part of spec
    .slice("scene:".length)
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    if (!INLINE_KEYS.includes(key))
      throw new InputError(`${label}: unknown key '${key}' (known: ${INLINE_KEYS.join(", ")})`);
    kv.set(key, eq < 0 ? "true" : part.slice(eq + 1).trim());
  }
  const num = (k: string): unknown => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    return v !== "" && Number.isFinite(n) ? n : v; // the validator names a bad value
  };
  const triple = (k: string): unknown => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const parts = v.split(/[x:]/).map((p) => Number(p));
    return parts.length === 3 && parts.every((p) => Number.isFinite(p)) ? parts : v;
  };
  const raw: Raw = {
    seed: num("seed"),
    sampleRate: num("rate"),
    duration: num("duration"),
    snr: num("snr"),
  };
  if (kv.has("loop")) raw.loop = kv.get("loop") === "true" || kv.get("loop") === "1";
  raw.room = { size: triple("room"), rt60: num("rt60"), absorption: num("absorption") };
  if (kv.has("at")) raw.array = { position: triple("at") };
  if (kv.has("speech"))
    raw.talkers = [
      {
        file: kv.get("speech"),
        az: num("az") ?? 0,
        dist: num("dist") ?? 1,
        elevation: num("elev"),
        start: num("start"),
        level: num("level"),
      },
    ];
  else
    for (const k of ["az", "dist", "elev", "start", "level"])
      if (kv.has(k)) throw new InputError(`${label}: '${k}' needs speech=FILE`);
  if (kv.has("noise")) raw.noise = [{ type: kv.get("noise"), level: num("noiselevel") }];
  return raw;
}
