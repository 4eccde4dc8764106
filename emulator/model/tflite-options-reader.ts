// Reads the builtin options of the ops the host mirrors use (convolutions, pools, fully
// connected, softmax, reshape, concatenation, mean, add/mul) into typed records. Field ids,
// storage kinds and schema defaults come from the writer's tables (tflite-op-options.ts), so
// the reader and the writer cannot disagree on schema.fbs.
import type { CheckedReader, Table } from "./checked-flatbuffer.ts";
import { BUILTIN_OPS, type Field, type OptionTable } from "./tflite-op-options.ts";
import { ACTIVATIONS, PADDINGS, type BuiltinOptions } from "./tflite-schema.ts";

/** Typed reads of one op's options table; an absent field reads as its schema default. */
class OptionFields {
  constructor(
    private readonly r: CheckedReader,
    private readonly o: Table | null,
    private readonly spec: OptionTable,
    private readonly opName: string,
  ) {}

  private field(name: string): Field {
    const f = this.spec.fields.find((x) => x[0] === name);
    if (!f) throw new Error(`${this.opName}'s options table has no field ${name}`);
    return f;
  }
  int(name: string): number {
    const [, id, , def] = this.field(name);
    return this.r.fieldI32(this.o, id, def);
  }
  /** Strides, filter sizes and dilations: 0 or less would divide by zero or never advance. */
  positive(name: string): number {
    const v = this.int(name);
    if (v < 1) this.r.fail(`${name} ${v} (must be at least 1)`);
    return v;
  }
  byte(name: string): number {
    const [, id, , def] = this.field(name);
    return this.r.fieldI8(this.o, id, def);
  }
  bool(name: string): boolean {
    const [, id, , def] = this.field(name);
    return this.r.fieldU8(this.o, id, def) !== 0;
  }
  float(name: string): number {
    const [, id, , def] = this.field(name);
    return this.r.fieldF32(this.o, id, def);
  }
  ints(name: string): number[] | null {
    const v = this.r.fieldVec(this.o, this.field(name)[1], 4, name);
    return v ? this.r.ints(v) : null;
  }
  activation(name = "fused_activation_function") {
    return enumValue(this.r, ACTIVATIONS, this.byte(name), "fused activation");
  }
  padding() {
    return enumValue(this.r, PADDINGS, this.byte("padding"), "padding");
  }
}

const window2d = (f: OptionFields) => ({
  padding: f.padding(),
  strideW: f.positive("stride_w"),
  strideH: f.positive("stride_h"),
});
const dilation = (f: OptionFields) => ({
  dilationW: f.positive("dilation_w_factor"),
  dilationH: f.positive("dilation_h_factor"),
});
const pool = (f: OptionFields): BuiltinOptions => ({
  kind: "pool",
  ...window2d(f),
  filterW: f.positive("filter_width"),
  filterH: f.positive("filter_height"),
  activation: f.activation(),
});

const READERS: Record<string, (f: OptionFields) => BuiltinOptions> = {
  CONV_2D: (f) => ({ kind: "conv", ...window2d(f), activation: f.activation(), ...dilation(f) }),
  DEPTHWISE_CONV_2D: (f) => ({
    kind: "depthwise",
    ...window2d(f),
    depthMultiplier: f.int("depth_multiplier"),
    activation: f.activation(),
    ...dilation(f),
  }),
  AVERAGE_POOL_2D: pool,
  MAX_POOL_2D: pool,
  L2_POOL_2D: pool,
  FULLY_CONNECTED: (f) => ({
    kind: "fully-connected",
    activation: f.activation(),
    weightsFormat: f.byte("weights_format"),
    keepNumDims: f.bool("keep_num_dims"),
  }),
  SOFTMAX: (f) => ({ kind: "softmax", beta: f.float("beta") }),
  RESHAPE: (f) => ({ kind: "reshape", newShape: f.ints("new_shape") }),
  CONCATENATION: (f) => ({
    kind: "concatenation",
    axis: f.int("axis"),
    activation: f.activation(),
  }),
  MEAN: (f) => ({ kind: "mean", keepDims: f.bool("keep_dims") }),
  ADD: (f) => ({ kind: "activation", activation: f.activation() }),
  MUL: (f) => ({ kind: "activation", activation: f.activation() }),
};

/** The options of layer table `op` (an `opName`), or null for ops whose options we do not read. */
export function readOptions(r: CheckedReader, op: Table, opName: string): BuiltinOptions | null {
  const readFields = READERS[opName];
  const spec = BUILTIN_OPS[opName]?.options;
  if (!readFields || !spec) return null;
  const type = r.fieldU8(op, 3, 0);
  const o = r.fieldTable(op, 4);
  if (o && type !== spec.union)
    r.fail(`builtin options are of union type ${type}, expected ${spec.name ?? spec.union}`);
  return readFields(new OptionFields(r, o, spec, opName));
}

function enumValue<T extends string>(
  r: CheckedReader,
  names: readonly T[],
  v: number,
  what: string,
): T {
  const name = names[v];
  if (name === undefined) r.fail(`unknown ${what} ${v}`);
  return name;
}
