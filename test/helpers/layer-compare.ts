// Layer-by-layer comparison of a writer-built model (every op's output is a model output)
// between our engine and the TFLite reference (tfjs-tflite), over several input sets run in
// one boot and one reference interpreter, in order, so state carried between invocations
// (SVDF) is compared too.
//
// A layer is "held" in a set when all its inputs agreed exactly with the reference's in that
// set (and, for a stateful op, in every set before it, as its state depends on them). One
// step of different rounding upstream (TFLM's fixed-point requantisation against XNNPACK's
// float one) legitimately moves later layers by more: those differences are reported apart
// as drift, and such a layer is run again alone in our engine on the reference's own inputs
// for it ("isolated"), so every layer is compared on the inputs TFLite gave it. The model's
// top class must agree in any case.
import {
  writeTflite,
  type WriterModel,
  type WriterType,
  TENSOR_TYPES,
} from "../../emulator/model/tflite-writer.ts";
import { loadReference, type ReferenceOutput } from "./tflite-reference.ts";
import { runModelSets } from "./engine.ts";
import { data } from "./op-compare.ts";
import type { Net } from "./writer-net.ts";

/** Ops whose output depends on earlier invocations. */
const STATEFUL = new Set(["SVDF"]);

export interface LayerReport {
  op: string;
  type: WriterType;
  /** Worst difference in the sets where the inputs agreed: int8 steps, float32 relative. */
  held: number;
  heldSets: number;
  /** Worst difference in the other sets. */
  drift: number;
  /** Run alone on the reference's inputs in every set (null: inputs always agreed, not needed). */
  isolated: number | null;
}

export interface TopClass {
  set: number;
  position: number;
  ours: number;
  reference: number;
  /** How far the reference's winner leads the runner-up (steps, or float units). */
  lead: number;
}

export interface ModelComparison {
  layers: LayerReport[];
  tops: TopClass[];
  /** Output bytes of consecutive sets differ (the inputs, or carried state, mattered). */
  outputsVary: boolean;
}

const view = (type: WriterType, b: Uint8Array): ArrayLike<number> =>
  type === "float32"
    ? new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
    : new Int8Array(b.buffer, b.byteOffset, b.byteLength);

/** Worst difference of one output against the reference: int8 in steps, float32 relative. */
export function difference(type: WriterType, got: Uint8Array, want: ArrayLike<number>): number {
  const g = view(type, got);
  if (g.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < g.length; i++) {
    const w = want[i];
    const diff =
      g[i] === w
        ? 0
        : type === "float32"
          ? Math.abs(g[i] - w) / Math.max(Math.abs(w), 1)
          : Math.abs(g[i] - w);
    worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff);
  }
  return worst;
}

/** Per-position top class of the last dimension, and its lead over the runner-up. */
function topClasses(v: ArrayLike<number>, depth: number): { best: number; lead: number }[] {
  return Array.from({ length: v.length / depth }, (_, p) => {
    let best = 0;
    for (let c = 1; c < depth; c++) if (v[p * depth + c] > v[p * depth + best]) best = c;
    let lead = Infinity;
    for (let c = 0; c < depth; c++)
      if (c !== best) lead = Math.min(lead, v[p * depth + best] - v[p * depth + c]);
    return { best, lead };
  });
}

/** Deterministic input sets: each set is every input tensor's bytes, concatenated. */
export function inputSets(net: Net, count: number): Uint8Array[] {
  const ins = net.model.inputs.map((i) => net.model.tensors[i]);
  return Array.from({ length: count }, (_, s) =>
    Buffer.concat(ins.map((x, i) => data(x.type, x.shape, (s + 1) * 17 + i))),
  );
}

export async function compareLayers(
  net: Net,
  sets: Uint8Array[],
  board = "rt1060",
): Promise<ModelComparison> {
  const { model } = net;
  const bytes = writeTflite(model);
  const run = await runModelSets(bytes, sets, board);
  const ref = await loadReference(bytes);
  const layers: LayerReport[] = model.ops.map((o, k) => ({
    op: o.op,
    type: model.tensors[model.outputs[k]].type,
    held: 0,
    heldSets: 0,
    drift: 0,
    isolated: null,
  }));
  const tops: TopClass[] = [];
  const last = model.outputs.length - 1;
  const lastType = model.tensors[model.outputs[last]].type;
  const depth = model.tensors[model.outputs[last]].shape.at(-1)!;
  const constants = model.tensors.flatMap((x, i) => (x.data ? [i] : []));
  // activations exact in every earlier set (null before the first): a stateful op's inputs must be
  let before: Set<number> | null = null;
  const wants: ReferenceOutput[][] = [];
  try {
    sets.forEach((set, s) => {
      const want = ref.run([set]);
      wants.push(want);
      const exact = new Set<number>([...model.inputs, ...constants]);
      model.ops.forEach((op, k) => {
        const ti = model.outputs[k];
        const d = difference(layers[k].type, run.inferences[s].outputs[k], want[k]);
        const agreed = (i: number) =>
          i < 0 ||
          model.tensors[i].variable ||
          (exact.has(i) && (!STATEFUL.has(op.op) || !before || before.has(i)));
        if (op.inputs.every(agreed)) {
          layers[k].held = Math.max(layers[k].held, d);
          layers[k].heldSets++;
        } else layers[k].drift = Math.max(layers[k].drift, d);
        if (d === 0) exact.add(ti);
      });
      const prior = before;
      before = prior ? new Set([...exact].filter((i) => prior.has(i))) : exact;
      const mine = topClasses(view(lastType, run.inferences[s].outputs[last]), depth);
      topClasses(want[last], depth).forEach((t, p) =>
        tops.push({ set: s, position: p, ours: mine[p].best, reference: t.best, lead: t.lead }),
      );
    });
  } finally {
    ref.dispose();
  }
  for (const [k, l] of layers.entries()) {
    if (l.heldSets === sets.length) continue;
    const iso = isolate(model, k);
    const isoSets = sets.map((set, s) =>
      Buffer.concat(
        iso.sources.map((i) => {
          const j = model.inputs.indexOf(i);
          if (j >= 0) return inputBytes(model, set, j);
          const w = wants[s][model.outputs.indexOf(i)];
          return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
        }),
      ),
    );
    const alone = await runModelSets(writeTflite(iso.model), isoSets, board);
    l.isolated = Math.max(
      ...sets.map((_, s) => difference(l.type, alone.inferences[s].outputs[0], wants[s][k])),
    );
  }
  const outs = run.inferences.map((i) => Buffer.from(i.outputs[last]));
  return { layers, tops, outputsVary: outs.slice(1).some((o, i) => !o.equals(outs[i])) };
}

/** The bytes of model input j within an input set. */
function inputBytes(model: WriterModel, set: Uint8Array, j: number): Uint8Array {
  const bytes = (i: number) => {
    const t = model.tensors[model.inputs[i]];
    return t.shape.reduce((a, b) => a * b, 1) * TENSOR_TYPES[t.type].bytes;
  };
  let at = 0;
  for (let i = 0; i < j; i++) at += bytes(i);
  return set.subarray(at, at + bytes(j));
}

/**
 * Op k of a model alone: its activation inputs become model inputs (`sources`: their tensor
 * indices in the whole model, in order), constants and variable tensors come along.
 */
function isolate(model: WriterModel, k: number): { model: WriterModel; sources: number[] } {
  const op = model.ops[k];
  const tensors: WriterModel["tensors"] = [];
  const index = new Map<number, number>();
  const sources: number[] = [];
  const inputs: number[] = [];
  for (const i of op.inputs) {
    if (i < 0 || index.has(i)) continue;
    index.set(i, tensors.push(model.tensors[i]) - 1);
    const t = model.tensors[i];
    if (!t.data && !t.variable) {
      sources.push(i);
      inputs.push(index.get(i)!);
    }
  }
  const out = tensors.push(model.tensors[model.outputs[k]]) - 1;
  return {
    model: {
      tensors,
      ops: [{ ...op, inputs: op.inputs.map((i) => (i < 0 ? -1 : index.get(i)!)), outputs: [out] }],
      inputs,
      outputs: [out],
    },
    sources,
  };
}

/** One line per model for the test log: each layer's held difference and its drift. */
export function layerLine(c: ModelComparison): string {
  return c.layers
    .map(
      (l) =>
        `${l.op} ${l.heldSets ? l.held : "-"}` +
        (l.isolated !== null ? ` (downstream ${l.drift}, alone ${l.isolated})` : ""),
    )
    .join(", ");
}
