// Small single-op .tflite models for differential tests (our engine against the reference),
// written with our tflite-writer. Deterministic: every model draws from a PRNG seeded by its
// name. Quantisation follows TFLite's int8 spec: per-channel symmetric weights (axis 0 for
// conv/FC, 3 for depthwise), int32 biases at input_scale * weight_scale, activations with
// assorted scales and zero points, and the fixed output parameters of SOFTMAX, LOGISTIC, TANH.
import {
  writeTflite,
  TENSOR_TYPES,
  type WriterModel,
  type WriterOp,
  type WriterTensor,
  type WriterType,
} from "../../emulator/model/tflite-writer.ts";

export interface OpModel {
  name: string;
  /** The op under test. */
  op: string;
  bytes: Uint8Array;
  /** Three random input sets; each is every model input's raw bytes, concatenated in order. */
  inputs: Uint8Array[];
  /** Bytes of each model input, to split a set. */
  inputBytes: number[];
  model: WriterModel;
}

type Quant = WriterTensor["quant"];
type Act = "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1";

/** mulberry32 seeded with a hash of the model's name. */
function prng(name: string): () => number {
  let s = 2166136261;
  for (let i = 0; i < name.length; i++) s = Math.imul(s ^ name.charCodeAt(i), 16777619);
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const f32 = Math.fround;

/** One model under construction: tensors, the op, and the random source. */
class Graph {
  readonly tensors: WriterTensor[] = [];
  readonly inputs: number[] = [];
  private op: WriterOp | null = null;
  readonly rand: () => number;

  constructor(
    readonly name: string,
    readonly opName: string,
    readonly float: boolean,
  ) {
    this.rand = prng(name);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rand();
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.uniform(lo, hi + 1));
  }

  /** An activation quantisation with a random scale around `scale` and zero point in [lo, hi]. */
  actQuant(scale = 0.05, lo = -30, hi = 30): Quant {
    return { scale: [f32(scale * this.uniform(0.6, 1.6))], zeroPoint: [this.int(lo, hi)] };
  }

  tensor(
    name: string,
    type: WriterType,
    shape: number[],
    quant?: Quant,
    data?: Uint8Array,
  ): number {
    this.tensors.push({ name, type, shape, quant: type === "float32" ? undefined : quant, data });
    return this.tensors.length - 1;
  }

  input(
    shape: number[],
    quant?: Quant,
    type: WriterType = this.float ? "float32" : "int8",
  ): number {
    const i = this.tensor(`input${this.inputs.length}`, type, shape, quant);
    this.inputs.push(i);
    return i;
  }

  constInt32(name: string, shape: number[], values: number[], quant?: Quant): number {
    return this.tensor(name, "int32", shape, quant, new Uint8Array(Int32Array.from(values).buffer));
  }

  /** Weights: int8 with per-channel scales along `axis`, or small floats. Returns index and scales. */
  weights(
    shape: number[],
    axis: number,
    perTensor = false,
    meanScale?: number,
  ): { index: number; scales: number[] } {
    const n = size(shape);
    if (this.float) {
      const w = Float32Array.from({ length: n }, () => this.uniform(-0.5, 0.5));
      return {
        index: this.tensor("weights", "float32", shape, undefined, new Uint8Array(w.buffer)),
        scales: [],
      };
    }
    const channels = perTensor ? 1 : shape[axis];
    const scales = Array.from({ length: channels }, () =>
      f32(meanScale ? meanScale * this.uniform(0.6, 1.4) : this.uniform(0.002, 0.02)),
    );
    const w = Int8Array.from({ length: n }, () => this.int(-127, 127));
    const quant = {
      scale: scales,
      zeroPoint: scales.map(() => 0),
      quantizedDimension: perTensor ? 0 : axis,
    };
    return {
      index: this.tensor("weights", "int8", shape, quant, new Uint8Array(w.buffer)),
      scales,
    };
  }

  /** Bias for `channels` outputs: int32 at input_scale * weight_scale, or floats. */
  bias(channels: number, inScale: number, wScales: number[]): number {
    if (this.float) {
      const b = Float32Array.from({ length: channels }, () => this.uniform(-0.5, 0.5));
      return this.tensor("bias", "float32", [channels], undefined, new Uint8Array(b.buffer));
    }
    const scales = Array.from({ length: channels }, (_, c) =>
      f32(inScale * wScales[wScales.length === 1 ? 0 : c]),
    );
    const values = Array.from({ length: channels }, () => this.int(-3000, 3000));
    return this.constInt32("bias", [channels], values, {
      scale: scales,
      zeroPoint: scales.map(() => 0),
      quantizedDimension: 0,
    });
  }

  /** Output scale so a sum of `terms` products lands mostly inside int8 rather than saturating. */
  dotOutQuant(inScale: number, wScales: number[], terms: number, act: Act): Quant {
    const w = wScales.reduce((a, b) => a + b, 0) / Math.max(wScales.length, 1);
    return this.outQuant((Math.sqrt(terms) * 74 * 73 * inScale * w) / 45, act);
  }

  /** Weight scale that keeps a clamped (RELU6, RELU_N1_TO_1) sum mostly inside the clamp, as
   *  trained layers are; undefined (random scales) otherwise. */
  clampedWeightScale(act: Act, inScale: number, terms: number): number | undefined {
    const target = act === "RELU6" ? 3 : act === "RELU_N1_TO_1" ? 0.6 : 0;
    return target ? target / (Math.sqrt(terms) * 74 * 73 * inScale) : undefined;
  }

  /** Output quantisation as a converter would calibrate it: a fused clamp bounds the range. */
  outQuant(scale: number, act: Act): Quant {
    switch (act) {
      case "RELU":
        return this.actQuant(scale, -128, -110);
      case "RELU6":
        return this.actQuant(Math.min(scale, 6 / 255), -128, -118);
      case "RELU_N1_TO_1":
        return this.actQuant(Math.min(scale, 2 / 255), -6, 6);
      default:
        return this.actQuant(scale, -20, 20);
    }
  }

  output(
    shape: number[],
    quant?: Quant,
    type: WriterType = this.float ? "float32" : "int8",
  ): number {
    return this.tensor("output", type, shape, quant);
  }

  setOp(inputs: number[], outputs: number[], options?: WriterOp["options"]): void {
    this.op = { op: this.opName, inputs, outputs, options };
  }

  build(): OpModel {
    const outputs = this.op!.outputs;
    const model: WriterModel = {
      tensors: this.tensors,
      ops: [this.op!],
      inputs: this.inputs,
      outputs,
      description: this.name,
    };
    const inputBytes = this.inputs.map(
      (i) => size(this.tensors[i].shape) * TENSOR_TYPES[this.tensors[i].type].bytes,
    );
    const sets = [0, 1, 2].map(() => {
      const parts = this.inputs.map((i) => {
        const t = this.tensors[i];
        const n = size(t.shape);
        if (t.type === "float32")
          return new Uint8Array(Float32Array.from({ length: n }, () => this.uniform(-2, 2)).buffer);
        return Uint8Array.from({ length: n }, () => this.int(0, 255));
      });
      const set = new Uint8Array(inputBytes.reduce((a, b) => a + b, 0));
      let at = 0;
      for (const p of parts) {
        set.set(p, at);
        at += p.length;
      }
      return set;
    });
    return {
      name: this.name,
      op: this.opName,
      bytes: writeTflite(model),
      inputs: sets,
      inputBytes,
      model,
    };
  }
}

const outDim = (n: number, k: number, stride: number, dilation: number, pad: "SAME" | "VALID") =>
  pad === "SAME" ? Math.ceil(n / stride) : Math.floor((n - ((k - 1) * dilation + 1)) / stride) + 1;

interface ConvCase {
  in: number[];
  out: number;
  k: [number, number];
  stride: [number, number];
  pad: "SAME" | "VALID";
  act: Act;
  dilation?: number;
}

function conv(g: Graph, c: ConvCase): OpModel {
  const [, h, w, cin] = c.in;
  const d = c.dilation ?? 1;
  const inQ = g.actQuant();
  const x = g.input(c.in, inQ);
  const wt = g.weights(
    [c.out, c.k[0], c.k[1], cin],
    0,
    false,
    g.clampedWeightScale(c.act, inQ!.scale[0], c.k[0] * c.k[1] * cin),
  );
  const b = g.bias(c.out, inQ!.scale[0], wt.scales);
  const oh = outDim(h, c.k[0], c.stride[1], d, c.pad),
    ow = outDim(w, c.k[1], c.stride[0], d, c.pad);
  const y = g.output(
    [1, oh, ow, c.out],
    g.dotOutQuant(inQ!.scale[0], wt.scales, c.k[0] * c.k[1] * cin, c.act),
  );
  g.setOp([x, wt.index, b], [y], {
    padding: c.pad,
    stride_w: c.stride[0],
    stride_h: c.stride[1],
    fused_activation_function: c.act,
    dilation_w_factor: d,
    dilation_h_factor: d,
  });
  return g.build();
}

function depthwise(g: Graph, c: ConvCase & { multiplier: number }): OpModel {
  const [, h, w, cin] = c.in;
  const d = c.dilation ?? 1;
  const cout = cin * c.multiplier;
  const inQ = g.actQuant();
  const x = g.input(c.in, inQ);
  const wt = g.weights(
    [1, c.k[0], c.k[1], cout],
    3,
    false,
    g.clampedWeightScale(c.act, inQ!.scale[0], c.k[0] * c.k[1]),
  );
  const b = g.bias(cout, inQ!.scale[0], wt.scales);
  const oh = outDim(h, c.k[0], c.stride[1], d, c.pad),
    ow = outDim(w, c.k[1], c.stride[0], d, c.pad);
  const y = g.output(
    [1, oh, ow, cout],
    g.dotOutQuant(inQ!.scale[0], wt.scales, c.k[0] * c.k[1], c.act),
  );
  g.setOp([x, wt.index, b], [y], {
    padding: c.pad,
    stride_w: c.stride[0],
    stride_h: c.stride[1],
    depth_multiplier: c.multiplier,
    fused_activation_function: c.act,
    dilation_w_factor: d,
    dilation_h_factor: d,
  });
  return g.build();
}

function fullyConnected(
  g: Graph,
  c: {
    in: number[];
    out: number;
    act: Act;
    keepDims?: boolean;
    noBias?: boolean;
    perTensor?: boolean;
  },
): OpModel {
  const depth = c.in[c.in.length - 1];
  const inQ = g.actQuant();
  const x = g.input(c.in, inQ);
  const wt = g.weights(
    [c.out, depth],
    0,
    c.perTensor,
    g.clampedWeightScale(c.act, inQ!.scale[0], depth),
  );
  const b = c.noBias ? -1 : g.bias(c.out, inQ!.scale[0], wt.scales);
  const shape = c.keepDims ? [...c.in.slice(0, -1), c.out] : [size(c.in) / depth, c.out];
  const y = g.output(shape, g.dotOutQuant(inQ!.scale[0], wt.scales, depth, c.act));
  g.setOp([x, wt.index, b], [y], {
    fused_activation_function: c.act,
    keep_num_dims: Boolean(c.keepDims),
  });
  return g.build();
}

function pool(
  g: Graph,
  c: {
    in: number[];
    k: [number, number];
    stride: [number, number];
    pad: "SAME" | "VALID";
    act: Act;
  },
): OpModel {
  const q = g.actQuant(); // pooling keeps its input's quantisation
  const x = g.input(c.in, q);
  const [, h, w, ch] = c.in;
  const y = g.output(
    [1, outDim(h, c.k[0], c.stride[1], 1, c.pad), outDim(w, c.k[1], c.stride[0], 1, c.pad), ch],
    q,
  );
  g.setOp([x], [y], {
    padding: c.pad,
    stride_w: c.stride[0],
    stride_h: c.stride[1],
    filter_height: c.k[0],
    filter_width: c.k[1],
    fused_activation_function: c.act,
  });
  return g.build();
}

/** ADD or MUL of two inputs (or an input and a constant), with broadcasting. */
function binary(g: Graph, c: { a: number[]; b: number[]; act: Act; constB?: boolean }): OpModel {
  const qa = g.actQuant(0.05),
    qb = g.actQuant(0.08);
  const x = g.input(c.a, qa);
  let y: number;
  if (c.constB) {
    const n = size(c.b);
    const data = g.float
      ? new Uint8Array(Float32Array.from({ length: n }, () => g.uniform(-1, 1)).buffer)
      : Uint8Array.from({ length: n }, () => g.int(0, 255));
    y = g.tensor("constant", g.float ? "float32" : "int8", c.b, qb, data);
  } else {
    y = g.input(c.b, qb);
  }
  const outShape = c.a.map((d, i) => Math.max(d, c.b[i]));
  const outScale = g.opName === "MUL" ? (128 * 0.05 * 128 * 0.08) / 100 : 0.1;
  g.setOp([x, y], [g.output(outShape, g.outQuant(outScale, c.act))], {
    fused_activation_function: c.act,
  });
  return g.build();
}

function unary(
  g: Graph,
  shape: number[],
  inScale: number,
  outQ: Quant,
  options?: WriterOp["options"],
): OpModel {
  const x = g.input(shape, g.actQuant(inScale));
  g.setOp([x], [g.output(shape, outQ)], options);
  return g.build();
}

function reshape(g: Graph, from: number[], to: number[], shapeTensor: boolean): OpModel {
  const q = g.actQuant();
  const x = g.input(from, q);
  const inputs = shapeTensor ? [x, g.constInt32("shape", [to.length], to)] : [x];
  g.setOp(inputs, [g.output(to, q)], { new_shape: to });
  return g.build();
}

function concat(g: Graph, shapes: number[][], axis: number): OpModel {
  const q = g.actQuant();
  const xs = shapes.map((s) => g.input(s, q));
  const out = shapes[0].map((d, i) => (i === axis ? shapes.reduce((a, s) => a + s[i], 0) : d));
  g.setOp(xs, [g.output(out, q)], { axis });
  return g.build();
}

function mean(g: Graph, shape: number[], axes: number[], keepDims: boolean): OpModel {
  const x = g.input(shape, g.actQuant());
  const axis = g.constInt32("axis", [axes.length], axes);
  const out = keepDims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
  g.setOp([x, axis], [g.output(out, g.actQuant())], { keep_dims: keepDims });
  return g.build();
}

function pad(g: Graph, shape: number[], pads: [number, number][]): OpModel {
  const q = g.actQuant();
  const x = g.input(shape, q);
  const p = g.constInt32("paddings", [shape.length, 2], pads.flat());
  g.setOp(
    [x, p],
    [
      g.output(
        shape.map((d, i) => d + pads[i][0] + pads[i][1]),
        q,
      ),
    ],
  );
  return g.build();
}

/** Every op model, int8 and float32, in a fixed order. */
export function opModels(): OpModel[] {
  const models: OpModel[] = [];
  const add = (type: "int8" | "float32", op: string, tag: string, make: (g: Graph) => OpModel) => {
    models.push(make(new Graph(`${type}/${op}/${tag}`, op, type === "float32")));
  };
  const SOFTMAX_OUT: Quant = { scale: [1 / 256], zeroPoint: [-128] };
  const TANH_OUT: Quant = { scale: [1 / 128], zeroPoint: [0] };

  for (const type of ["int8", "float32"] as const) {
    const convs: [string, ConvCase][] = [
      [
        "8x8x3-k3-s1-same-o5",
        { in: [1, 8, 8, 3], out: 5, k: [3, 3], stride: [1, 1], pad: "SAME", act: "NONE" },
      ],
      [
        "9x9x5-k3-s2-valid-o17-relu6",
        { in: [1, 9, 9, 5], out: 17, k: [3, 3], stride: [2, 2], pad: "VALID", act: "RELU6" },
      ],
      [
        "7x6x17-k1-s1-o8-relu",
        { in: [1, 7, 6, 17], out: 8, k: [1, 1], stride: [1, 1], pad: "SAME", act: "RELU" },
      ],
      [
        "12x11x3-k5x3-s1x2-same-o4",
        { in: [1, 12, 11, 3], out: 4, k: [5, 3], stride: [1, 2], pad: "SAME", act: "NONE" },
      ],
      [
        "10x10x4-k3-d2-valid-o6-relun1",
        {
          in: [1, 10, 10, 4],
          out: 6,
          k: [3, 3],
          stride: [1, 1],
          pad: "VALID",
          act: "RELU_N1_TO_1",
          dilation: 2,
        },
      ],
    ];
    for (const [tag, c] of convs) add(type, "CONV_2D", tag, (g) => conv(g, c));

    const dws: [string, ConvCase & { multiplier: number }][] = [
      [
        "8x8x3-k3-s1-same-relu6",
        {
          in: [1, 8, 8, 3],
          k: [3, 3],
          stride: [1, 1],
          pad: "SAME",
          act: "RELU6",
          out: 0,
          multiplier: 1,
        },
      ],
      [
        "9x9x5-k3-s2-valid-m2",
        {
          in: [1, 9, 9, 5],
          k: [3, 3],
          stride: [2, 2],
          pad: "VALID",
          act: "NONE",
          out: 0,
          multiplier: 2,
        },
      ],
      [
        "6x7x17-k3-s2-same-relu",
        {
          in: [1, 6, 7, 17],
          k: [3, 3],
          stride: [2, 2],
          pad: "SAME",
          act: "RELU",
          out: 0,
          multiplier: 1,
        },
      ],
      [
        "8x8x8-k3-d2-same",
        {
          in: [1, 8, 8, 8],
          k: [3, 3],
          stride: [1, 1],
          pad: "SAME",
          act: "NONE",
          out: 0,
          multiplier: 1,
          dilation: 2,
        },
      ],
      [
        "11x10x1-k3-s2-same-m8-relu",
        {
          in: [1, 11, 10, 1],
          k: [3, 3],
          stride: [2, 2],
          pad: "SAME",
          act: "RELU",
          out: 0,
          multiplier: 8,
        },
      ],
      [
        "7x8x3-k4x2-s1-same-m5",
        {
          in: [1, 7, 8, 3],
          k: [4, 2],
          stride: [1, 1],
          pad: "SAME",
          act: "NONE",
          out: 0,
          multiplier: 5,
        },
      ],
      [
        "9x9x2-k3-d2-valid-m3-relu6",
        {
          in: [1, 9, 9, 2],
          k: [3, 3],
          stride: [1, 1],
          pad: "VALID",
          act: "RELU6",
          out: 0,
          multiplier: 3,
          dilation: 2,
        },
      ],
    ];
    for (const [tag, c] of dws) add(type, "DEPTHWISE_CONV_2D", tag, (g) => depthwise(g, c));

    add(type, "FULLY_CONNECTED", "17-o5", (g) =>
      fullyConnected(g, { in: [1, 17], out: 5, act: "NONE" }),
    );
    add(type, "FULLY_CONNECTED", "64-o3-relu", (g) =>
      fullyConnected(g, { in: [1, 64], out: 3, act: "RELU" }),
    );
    add(type, "FULLY_CONNECTED", "2x10-o7-relu6", (g) =>
      fullyConnected(g, { in: [2, 10], out: 7, act: "RELU6" }),
    );
    add(type, "FULLY_CONNECTED", "1x3x8-o5-keepdims", (g) =>
      fullyConnected(g, { in: [1, 3, 8], out: 5, act: "NONE", keepDims: true }),
    );
    add(type, "FULLY_CONNECTED", "33-o9-nobias", (g) =>
      fullyConnected(g, { in: [1, 33], out: 9, act: "NONE", noBias: true }),
    );
    if (type === "int8")
      add(type, "FULLY_CONNECTED", "16-o16-pertensor", (g) =>
        fullyConnected(g, { in: [1, 16], out: 16, act: "RELU", perTensor: true }),
      );

    for (const op of ["AVERAGE_POOL_2D", "MAX_POOL_2D"]) {
      add(type, op, "8x8x3-k2-s2-valid", (g) =>
        pool(g, { in: [1, 8, 8, 3], k: [2, 2], stride: [2, 2], pad: "VALID", act: "NONE" }),
      );
      add(type, op, "9x9x5-k3-s2-same-relu6", (g) =>
        pool(g, { in: [1, 9, 9, 5], k: [3, 3], stride: [2, 2], pad: "SAME", act: "RELU6" }),
      );
      add(type, op, "7x6x17-k3x2-s1-same", (g) =>
        pool(g, { in: [1, 7, 6, 17], k: [3, 2], stride: [1, 1], pad: "SAME", act: "NONE" }),
      );
    }

    add(type, "SOFTMAX", "1x10", (g) => unary(g, [1, 10], 0.03, SOFTMAX_OUT, { beta: 1 }));
    add(type, "SOFTMAX", "2x5-beta0.5", (g) => unary(g, [2, 5], 0.05, SOFTMAX_OUT, { beta: 0.5 }));
    add(type, "SOFTMAX", "1x3x17", (g) => unary(g, [1, 3, 17], 0.02, SOFTMAX_OUT, { beta: 1 }));

    add(type, "RESHAPE", "8x8x3-to-192-tensor", (g) => reshape(g, [1, 8, 8, 3], [1, 192], true));
    add(type, "RESHAPE", "4x6-to-2x12-options", (g) => reshape(g, [1, 4, 6], [2, 12], false));

    for (const op of ["ADD", "MUL"]) {
      add(type, op, "4x4x5", (g) => binary(g, { a: [1, 4, 4, 5], b: [1, 4, 4, 5], act: "NONE" }));
      add(type, op, "4x4x5-bcast-c-relu6", (g) =>
        binary(g, { a: [1, 4, 4, 5], b: [1, 1, 1, 5], act: "RELU6" }),
      );
      add(type, op, "3x17-const-relu", (g) =>
        binary(g, { a: [1, 3, 17], b: [1, 3, 17], act: "RELU", constB: true }),
      );
    }

    add(type, "LOGISTIC", "1x20", (g) =>
      unary(g, [1, 20], 0.06, { scale: [1 / 256], zeroPoint: [-128] }),
    );
    add(type, "LOGISTIC", "2x3x5", (g) =>
      unary(g, [2, 3, 5], 0.02, { scale: [1 / 256], zeroPoint: [-128] }),
    );
    add(type, "TANH", "1x20", (g) => unary(g, [1, 20], 0.03, TANH_OUT));
    add(type, "TANH", "2x3x5", (g) => unary(g, [2, 3, 5], 0.01, TANH_OUT));

    add(type, "MEAN", "6x6x5-hw-keep", (g) => mean(g, [1, 6, 6, 5], [1, 2], true));
    add(type, "MEAN", "5x3x17-hw", (g) => mean(g, [1, 5, 3, 17], [1, 2], false));

    add(type, "PAD", "5x5x3-hw", (g) =>
      pad(
        g,
        [1, 5, 5, 3],
        [
          [0, 0],
          [1, 1],
          [2, 1],
          [0, 0],
        ],
      ),
    );
    add(type, "PAD", "4x3x5-c", (g) =>
      pad(
        g,
        [1, 4, 3, 5],
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [1, 2],
        ],
      ),
    );

    add(type, "CONCATENATION", "c-3+5", (g) =>
      concat(
        g,
        [
          [1, 4, 4, 3],
          [1, 4, 4, 5],
        ],
        3,
      ),
    );
    add(type, "CONCATENATION", "h-3", (g) =>
      concat(
        g,
        [
          [1, 2, 3, 4],
          [1, 3, 3, 4],
          [1, 1, 3, 4],
        ],
        1,
      ),
    );
    // TFLite refuses a fused activation on CONCATENATION and int8 inputs whose scale differs
    // from the output's, so neither appears here (the converter never writes them).
    add(type, "CONCATENATION", "c-17+5", (g) =>
      concat(
        g,
        [
          [1, 17],
          [1, 5],
        ],
        1,
      ),
    );
  }

  // Type-changing ops exist only in the int8 set.
  add("int8", "QUANTIZE", "float-1x4x4x3", (g) => {
    const x = g.input([1, 4, 4, 3], undefined, "float32");
    g.setOp([x], [g.output([1, 4, 4, 3], g.actQuant(0.025, -10, 10), "int8")]);
    return g.build();
  });
  add("int8", "QUANTIZE", "requant-1x17", (g) => unary(g, [1, 17], 0.05, g.actQuant(0.08)));
  add("int8", "DEQUANTIZE", "1x4x4x3", (g) => {
    const x = g.input([1, 4, 4, 3], g.actQuant());
    g.setOp([x], [g.output([1, 4, 4, 3], undefined, "float32")]);
    return g.build();
  });
  return models;
}
