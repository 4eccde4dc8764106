// Reads scenario files: YAML (one scenario per document, `---` between them) parsed with line
// positions, checked against the schema, regexes compiled. Every problem is one UserError
// naming file:line.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { schemaValidator } from "../schema-validator.ts";
import { LineCounter, parseAllDocuments, isNode, type Document } from "yaml";
import { UserError } from "../errors.ts";
import { describeFsError } from "../host-files.ts";
import {
  driveSchema,
  expectSchema,
  scenarioSchema,
  waitSchema,
  STEP_KINDS,
  type Drive,
  type Expect,
  type Scenario,
  type Step,
  type Wait,
} from "./schema.ts";

const validators = {
  scenario: schemaValidator(scenarioSchema),
  drive: schemaValidator(driveSchema),
  wait: schemaValidator(waitSchema),
  expect: schemaValidator(expectSchema),
};

/** Default emulated-time limit of a scenario, and of a wait without its own timeout. */
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

export function parseDurationMs(v: number | string): number {
  if (typeof v === "number") return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(v)!;
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

export function parseSize(v: number | string): number {
  if (typeof v === "number") return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB)\s*$/.exec(v)!;
  return Math.round(Number(m[1]) * { B: 1, KB: 1024, MB: 1 << 20 }[m[2] as "B"]);
}

type Path = (string | number)[];

class FileContext {
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  /** Line of the node at `at`, or of its nearest parent that exists. */
  line(at: Path): number {
    for (let n = at.length; n >= 0; n--) {
      const node = this.doc.getIn(at.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  fail(at: Path, message: string): never {
    throw new UserError(`${this.file}:${this.line(at)}: ${message}`);
  }

  /** Fails with ajv's first error, worded for a person. */
  check(validate: ValidateFunction, value: unknown, at: Path, what: string): void {
    if (validate(value)) return;
    const errors = validate.errors ?? [];
    // With anyOf (a wait as a duration or an object) the error of the object branch says most.
    const e = errors.find((x) => x.keyword !== "anyOf" && x.keyword !== "type") ?? errors[0];
    const where = [
      ...at,
      ...e.instancePath
        .split("/")
        .filter((p) => p !== "")
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    ];
    this.fail(
      where,
      `${what}${e.instancePath ? ` ${e.instancePath.slice(1).replace(/\//g, ".")}` : ""}: ${describe(e)}`,
    );
  }

  regex(source: string, at: Path): RegExp {
    try {
      return new RegExp(source, "m");
    } catch (e) {
      this.fail(
        at,
        `bad regex /${source}/: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "")}`,
      );
    }
  }
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown key '${p.additionalProperty}'`;
    case "required":
      return `missing '${p.missingProperty}'`;
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).join(", ")}`;
    case "dependencies":
      return `'${p.property}' needs '${p.missingProperty}' beside it`;
    case "minProperties":
      return "is empty";
    case "pattern":
      return /ms\|s/.test(String(p.pattern))
        ? "must be a duration such as 500ms or 2s"
        : /KB/.test(String(p.pattern))
          ? "must be a size such as 2048, 64KB or 1MB"
          : "must start with / (a path on the card)";
    default:
      return e.message ?? e.keyword;
  }
}

function toWait(ctx: FileContext, raw: any, at: Path): Wait {
  if (typeof raw === "number" || typeof raw === "string") return { ms: parseDurationMs(raw) };
  const timeoutMs =
    raw.timeout !== undefined ? parseDurationMs(raw.timeout) : DEFAULT_WAIT_TIMEOUT_MS;
  const kinds = ["for", "console", "led", "fault", "inferences"].filter(
    (k) => raw[k] !== undefined,
  );
  if (kinds.length !== 1)
    ctx.fail(
      at,
      `a wait waits for one thing: for, console, led, fault or inferences (got ${kinds.join(", ") || "none"})`,
    );
  if (raw.for !== undefined) {
    if (raw.timeout !== undefined)
      ctx.fail([...at, "timeout"], "a wait for a duration takes no timeout");
    return { ms: parseDurationMs(raw.for) };
  }
  if (raw.console !== undefined)
    return { console: ctx.regex(raw.console, [...at, "console"]), timeoutMs };
  if (raw.led !== undefined) return { led: raw.led, on: raw.on, timeoutMs };
  if (raw.fault !== undefined) return { fault: raw.fault, timeoutMs };
  return { inferences: raw.inferences, timeoutMs };
}

function toExpect(ctx: FileContext, raw: any, at: Path): Expect {
  const e: Expect = { ...raw };
  if (raw.console !== undefined) e.console = ctx.regex(raw.console, [...at, "console"]);
  if (raw.noConsole !== undefined) e.noConsole = ctx.regex(raw.noConsole, [...at, "noConsole"]);
  if (raw.matches !== undefined) e.matches = ctx.regex(raw.matches, [...at, "matches"]);
  if (raw.sramPeak)
    e.sramPeak = Object.fromEntries(
      Object.entries(raw.sramPeak).map(([k, v]) => [k, parseSize(v as number | string)]),
    );
  if (raw.led !== undefined && raw.on === undefined && raw.toggles === undefined)
    ctx.fail(at, "an LED expectation needs 'on' or 'toggles'");
  return e;
}

function toStep(ctx: FileContext, raw: any, at: Path, text: string): Step {
  const keys = Object.keys(raw).filter((k) => k !== "name");
  const unknown = keys.find((k) => !(STEP_KINDS as readonly string[]).includes(k));
  if (unknown)
    ctx.fail(
      [...at, unknown],
      `unknown step '${unknown}' (a step is one of ${STEP_KINDS.join(", ")})`,
    );
  if (keys.length !== 1)
    ctx.fail(
      at,
      `a step is one of ${STEP_KINDS.join(", ")}, not ${keys.length ? keys.join(" and ") : "none"}`,
    );
  if (raw.name !== undefined && typeof raw.name !== "string")
    ctx.fail([...at, "name"], "a step's name is text");
  const kind = keys[0] as (typeof STEP_KINDS)[number];
  const inner = [...at, kind];
  ctx.check(validators[kind], raw[kind], inner, kind);
  const base = { line: ctx.line(at), text, name: raw.name as string | undefined };
  if (kind === "drive") {
    const d = raw.drive;
    const drive: Drive = { ...d, forMs: d.for !== undefined ? parseDurationMs(d.for) : undefined };
    delete (drive as any).for;
    return { ...base, drive };
  }
  if (kind === "wait") return { ...base, wait: toWait(ctx, raw.wait, inner) };
  return { ...base, expect: toExpect(ctx, raw.expect, inner) };
}

/** The scenarios of one file. */
export function loadScenarios(file: string): Scenario[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(describeFsError(e, file, "scenario file"));
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  if (!Array.isArray(docs)) throw new UserError(`${file}:1: not a YAML stream`);
  const dir = path.dirname(path.resolve(file));
  const out: Scenario[] = [];
  for (const doc of docs) {
    const bad = doc.errors[0];
    if (bad)
      throw new UserError(
        `${file}:${lines.linePos(bad.pos[0]).line}: YAML: ${bad.message.split("\n")[0]}`,
      );
    if (doc.contents === null) continue;
    const ctx = new FileContext(file, doc, lines);
    const raw = doc.toJS() as any;
    ctx.check(validators.scenario, raw, [], "scenario");
    if (!raw.app === !raw.image) ctx.fail([], "a scenario names an app or an image (one of them)");
    const steps = (raw.steps as unknown[]).map((s, i) => {
      const node = doc.getIn(["steps", i], true);
      const src =
        isNode(node) && node.range
          ? text.slice(node.range[0], node.range[1]).trim().replace(/\s+/g, " ")
          : "";
      return toStep(ctx, s, ["steps", i], src);
    });
    const resolve = (p: string) => path.resolve(dir, p);
    // Input specs are paths up to the first comma, or generator/scene specs that carry their own.
    const inputs = Object.fromEntries(
      Object.entries((raw.inputs ?? {}) as Record<string, string>).map(([k, v]) => [
        k,
        /^(gen|scene):/.test(v) ? v : resolve(v.split(",")[0]) + v.slice(v.split(",")[0].length),
      ]),
    );
    out.push({
      file,
      line: ctx.line([]),
      name: raw.name,
      app: raw.app ? resolve(raw.app) : undefined,
      image: raw.image ? resolve(raw.image) : undefined,
      boards: raw.boards ?? [],
      inputs,
      micArray: raw.micArray,
      sdcard:
        raw.sdcard === undefined || raw.sdcard === "blank" || raw.sdcard === "none"
          ? (raw.sdcard ?? "blank")
          : resolve(raw.sdcard),
      timeoutMs: raw.timeout !== undefined ? parseDurationMs(raw.timeout) : DEFAULT_TIMEOUT_MS,
      steps,
    });
  }
  if (out.length === 0) throw new UserError(`${file}:1: no scenario in the file`);
  return out;
}
