// 14. Cycles per output element of each operator's kernel on each board's core: one model per
// element type holding one single-op case per operator (the first of test/helpers/tflm-op-cases.ts
// for that op and type, side by side, each with its own inputs), run once per board; each
// layer's metered cycles over its output elements. Run alone: npx tsx test/bench/ops.ts
// (prints the table and rewrites the table in docs/ops.md between its bench markers).
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";
import { buildCase, data, type OpCase } from "../helpers/op-compare.ts";
import { tflmOpCases } from "../helpers/tflm-op-cases.ts";
import { otherOpModels } from "./ops-other-models.ts";
import { runModelSets } from "../helpers/engine.ts";
import { BOARDS, ROOT, sig } from "./util.ts";

export interface OpsRow {
  op: string;
  type: string;
  shape: string;
  outputs: number;
  perOutput: Record<string, number>;
  unit: Record<string, string>;
}
export interface OpsResult {
  rows: OpsRow[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Single-op models side by side in one model, every input and output their own. */
function mergedModel(models: WriterModel[]): WriterModel {
  const model: WriterModel = { tensors: [], ops: [], inputs: [], outputs: [] };
  for (const m of models) {
    const base = model.tensors.length;
    model.tensors.push(
      ...m.tensors.map((t, i) => ({ ...t, name: `${model.ops.length}_${t.name}_${i}` })),
    );
    model.ops.push(
      ...m.ops.map((o) => ({
        ...o,
        inputs: o.inputs.map((i) => (i < 0 ? i : i + base)),
        outputs: o.outputs.map((i) => i + base),
      })),
    );
    model.inputs.push(...m.inputs.map((i) => i + base));
    model.outputs.push(...m.outputs.map((i) => i + base));
  }
  return model;
}

interface Group {
  type: string;
  cases: { op: string; model: WriterModel }[];
}

/** Per element type, the first tflm-op case of each op (one model per type). */
function tflmGroups(): Group[] {
  const byType = new Map<string, Map<string, OpCase>>();
  for (const c of tflmOpCases()) {
    const type =
      c.outputs.some((o) => o.type === "float32") || c.inputs.some((i) => i.type === "float32")
        ? "float32"
        : "int8";
    const ops = byType.get(type) ?? new Map<string, OpCase>();
    if (!ops.has(c.op)) ops.set(c.op, c);
    byType.set(type, ops);
  }
  return [...byType].map(([type, ops]) => ({
    type,
    cases: [...ops.values()]
      .sort((a, b) => a.op.localeCompare(b.op))
      .map((c) => ({ op: c.op, model: buildCase(c) })),
  }));
}

/**
 * The tflm-op cases' models as before (their figures unchanged), then per type one more model
 * of every other op and type the registry runs (ops-other-models.ts).
 */
function groups(): Group[] {
  const tflm = tflmGroups();
  const covered = new Set(tflm.flatMap((g) => g.cases.map((c) => `${g.type} ${c.op}`)));
  const others = otherOpModels(covered);
  const more = (["int8", "float32"] as const).map((type) => ({
    type,
    cases: others
      .filter((o) => o.type === type)
      .sort((a, b) => a.op.localeCompare(b.op))
      .map((o) => ({ op: o.op, model: o.model })),
  }));
  return [...tflm, ...more.filter((g) => g.cases.length)];
}

export async function benchOps(log: (m: string) => void): Promise<OpsResult> {
  const rows: OpsRow[] = [];
  for (const { type, cases } of groups()) {
    const model = mergedModel(cases.map((c) => c.model));
    const bytes = writeTflite(model);
    const input = Buffer.concat(
      model.inputs.map((i, k) => data(model.tensors[i].type, model.tensors[i].shape, k + 1)),
    );
    const typeRows = cases.map(({ op, model: m }) => ({
      op,
      type,
      shape: m.inputs.map((i) => `[${m.tensors[i].shape}]`).join(" "),
      outputs: m.outputs.reduce((n, o) => n + size(m.tensors[o].shape), 0),
      perOutput: {} as Record<string, number>,
      unit: {} as Record<string, string>,
    }));
    for (const board of BOARDS) {
      log(`ops: ${cases.length} ${type} ops on ${board}`);
      const run = await runModelSets(bytes, [input], board);
      for (const l of run.inferences[0].layers) {
        const row = typeRows[l.index];
        row.perOutput[board] = sig(l.cycles / row.outputs, 3);
        row.unit[board] = l.unit;
      }
    }
    rows.push(...typeRows);
  }
  // one table sorted by type (int8 first) then op
  const order = (t: string) => (t === "int8" ? 0 : 1);
  rows.sort((a, b) => order(a.type) - order(b.type) || a.op.localeCompare(b.op));
  return { rows };
}

export function opsTable(r: OpsResult): string {
  const head = ["op", "type", "inputs", "outputs", ...BOARDS];
  const lines = r.rows.map((row) => [
    row.op,
    row.type,
    row.shape,
    String(row.outputs),
    ...BOARDS.map((b) => `${row.perOutput[b] ?? "-"}${row.unit[b] === "npu" ? " (NPU)" : ""}`),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [head, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

export function opsMarkdown(r: OpsResult): string {
  const out = [
    "| op | type | inputs | outputs | " + BOARDS.join(" | ") + " |",
    "|---|---|---|---:|" + BOARDS.map(() => "---:").join("|") + "|",
  ];
  for (const row of r.rows) {
    out.push(
      `| ${row.op} | ${row.type} | ${row.shape} | ${row.outputs} | ${BOARDS.map((b) => `${row.perOutput[b] ?? "-"}${row.unit[b] === "npu" ? " (NPU)" : ""}`).join(" | ")} |`,
    );
  }
  return out.join("\n");
}

export function updateOpsDoc(r: OpsResult): void {
  const doc = path.join(ROOT, "docs", "ops.md");
  const text = readFileSync(doc, "utf8");
  const next = text.replace(
    /(<!-- bench:ops:start -->\n)[\s\S]*?(<!-- bench:ops:end -->)/,
    `$1${opsMarkdown(r)}\n$2`,
  );
  if (next !== text) writeFileSync(doc, next);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await benchOps((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(opsTable(r));
  updateOpsDoc(r);
}
