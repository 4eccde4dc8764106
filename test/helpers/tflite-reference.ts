// An independent TFLite interpreter for differential tests: the TFLite runtime (with its
// XNNPACK delegate) that @tensorflow/tfjs-tflite ships as an Emscripten wasm build, run in
// Node without a browser.
//
// Why not loadTFLiteModel(): the package's JS client picks a build by probing for workers
// and SharedArrayBuffer, then injects a <script> tag; none of that exists in Node. Its model
// runner is a thin layer over the wasm module's embind class TFLiteWebModelRunner, so we
// load the Emscripten factory ourselves (the non-threaded build; SIMD unless
// TFLITE_REFERENCE_BUILD=scalar or the SIMD build fails), hand it the .wasm bytes
// (wasmBinary: no fetch, offline) and call the same embind API the client calls.
//
// Quantisation: neither the runner nor TFLiteModel.predict() quantizes or dequantizes; the
// runner's tensor data() is a view of the interpreter's own buffer, and predict() only
// widens int8 to int32 for tfjs. We copy raw bytes in and out, so int8 I/O is exact.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ByteBuffer } from "flatbuffers";

export interface ReferenceTensor {
  name: string;
  shape: number[];
  dtype: string;
}
export type ReferenceOutput = Int8Array | Float32Array | Int32Array | Uint8Array | Int16Array;

export interface ReferenceModel {
  inputs: ReferenceTensor[];
  outputs: ReferenceTensor[];
  /** Raw bytes of each input in (any view; its bytes are copied verbatim), copies of the outputs back. */
  run(inputs: ArrayBufferView[]): ReferenceOutput[];
  dispose(): void;
}

// The parts of the Emscripten module and embind classes we use.
type TensorData =
  Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
interface CppTensorInfo {
  id: number;
  dataType: string;
  name: string;
  shape: string;
  data(): TensorData;
  delete(): void;
}
interface CppVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface CppRunner {
  GetInputs(): CppVector<CppTensorInfo>;
  GetOutputs(): CppVector<CppTensorInfo>;
  Infer(): boolean;
  delete(): void;
}
interface CppStatusOr<T> {
  ok(): boolean;
  errorMessage(): string;
  value(): T;
  delete(): void;
}
interface RunnerOptions {
  numThreads: number;
  enableProfiling: boolean;
  maxProfilingBufferEntries: number;
}
interface TfliteWasm {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(ptr: number, len: number, o: RunnerOptions): CppStatusOr<CppRunner>;
  };
}
type Factory = (overrides: Record<string, unknown>) => Promise<TfliteWasm>;

const require = createRequire(import.meta.url);
const WASM_DIR = join(dirname(require.resolve("@tensorflow/tfjs-tflite/package.json")), "wasm");

/** Lines the runtime printed on stderr since the last take (its error reports). */
let stderrLines: string[] = [];
let loaded: Promise<{ wasm: TfliteWasm; build: string }> | null = null;

async function instantiate(build: string): Promise<TfliteWasm> {
  const factory = require(join(WASM_DIR, `${build}.js`)) as Factory;
  return factory({
    wasmBinary: readFileSync(join(WASM_DIR, `${build}.wasm`)),
    print: (s: string) => stderrLines.push(s),
    // "INFO: Created TensorFlow Lite XNNPACK delegate" on every load is noise; keep the rest.
    printErr: (s: string) => {
      if (!s.startsWith("INFO:")) stderrLines.push(s);
    },
  });
}

function runtime(): Promise<{ wasm: TfliteWasm; build: string }> {
  loaded ??= (async () => {
    if (process.env.TFLITE_REFERENCE_BUILD !== "scalar") {
      try {
        return { wasm: await instantiate("tflite_web_api_cc_simd"), build: "simd" };
      } catch {
        /* no wasm SIMD here: fall back to the scalar build */
      }
    }
    return { wasm: await instantiate("tflite_web_api_cc"), build: "scalar" };
  })();
  return loaded;
}

/** Which wasm build the reference runs ("simd" or "scalar"). */
export async function referenceBuild(): Promise<string> {
  return (await runtime()).build;
}

/**
 * TFLite's checker rejects a quantized_dimension outside the tensor's rank, which
 * person_detect's rank-1 per-channel biases carry (3; TFLM ignores it). A rank-1 tensor has
 * only axis 0, and with a single scale the axis means nothing, so such values are rewritten
 * to 0 in a copy; other files pass unchanged.
 */
export function fixQuantizedDimensions(model: Uint8Array): Uint8Array {
  let out = model;
  const bb = new ByteBuffer(model);
  const field = (table: number, id: number): number => {
    const vt = table - bb.readInt32(table);
    const slot = 4 + 2 * id;
    if (slot + 2 > bb.readUint16(vt)) return 0;
    const rel = bb.readUint16(vt + slot);
    return rel ? table + rel : 0;
  };
  const deref = (at: number): number => at + bb.readUint32(at);
  const vector = (table: number, id: number): { pos: number; len: number } | null => {
    const at = field(table, id);
    if (!at) return null;
    const start = deref(at);
    return { pos: start + 4, len: bb.readUint32(start) };
  };
  const root = deref(0);
  const subgraphs = vector(root, 2); // Model.subgraphs
  for (let s = 0; subgraphs && s < subgraphs.len; s++) {
    const tensors = vector(deref(subgraphs.pos + 4 * s), 0); // SubGraph.tensors
    for (let t = 0; tensors && t < tensors.len; t++) {
      const tensor = deref(tensors.pos + 4 * t);
      const rank = vector(tensor, 0)?.len ?? 0; // Tensor.shape
      const qAt = field(tensor, 4); // Tensor.quantization
      if (!qAt) continue;
      const q = deref(qAt);
      const dimAt = field(q, 6); // QuantizationParameters.quantized_dimension
      const scales = vector(q, 2)?.len ?? 0;
      if (!dimAt) continue;
      const dim = bb.readInt32(dimAt);
      if (dim !== 0 && (dim < 0 || dim >= rank) && (rank <= 1 || scales <= 1)) {
        if (out === model) out = model.slice();
        new DataView(out.buffer, out.byteOffset).setInt32(dimAt, 0, true);
      }
    }
  }
  return out;
}

const parseShape = (s: string): number[] => (s === "" ? [] : s.split(",").map(Number));

function tensorsOf(vec: CppVector<CppTensorInfo>): CppTensorInfo[] {
  const list: CppTensorInfo[] = [];
  for (let i = 0; i < vec.size(); i++) list.push(vec.get(i));
  vec.delete();
  return list;
}

/** Copies a tensor's current contents out of wasm memory (views go stale when memory grows). */
function copyOut(info: CppTensorInfo): ReferenceOutput {
  const d = info.data();
  switch (info.dataType) {
    case "int8":
    case "uint8":
    case "bool":
    case "int16":
    case "int32":
    case "float32":
      return (d as ReferenceOutput).slice();
    default:
      throw new Error(
        `tflite-reference: output '${info.name}' has unsupported type ${info.dataType}`,
      );
  }
}

/** Loads a .tflite model into the reference runtime (single-threaded, XNNPACK on). */
export async function loadReference(model: Uint8Array): Promise<ReferenceModel> {
  const { wasm } = await runtime();
  let bytes = model;
  try {
    bytes = fixQuantizedDimensions(model);
  } catch {
    /* not a readable flatbuffer: let TFLite say what is wrong with it */
  }
  // The interpreter reads the flatbuffer in place, so its copy lives until dispose().
  const ptr = wasm._malloc(bytes.length);
  wasm.HEAPU8.set(bytes, ptr);
  stderrLines = [];
  const status = wasm.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: 1,
    enableProfiling: false,
    maxProfilingBufferEntries: 1024,
  });
  if (!status.ok()) {
    const message = status.errorMessage();
    status.delete();
    wasm._free(ptr);
    throw new Error(
      `tflite-reference: ${message}${stderrLines.length ? `\n${stderrLines.join("\n")}` : ""}`,
    );
  }
  const runner = status.value();
  status.delete();
  const inputs = tensorsOf(runner.GetInputs());
  const outputs = tensorsOf(runner.GetOutputs());
  const describe = (t: CppTensorInfo): ReferenceTensor => ({
    name: t.name,
    shape: parseShape(t.shape),
    dtype: t.dataType,
  });
  let disposed = false;

  return {
    inputs: inputs.map(describe),
    outputs: outputs.map(describe),
    run(values: ArrayBufferView[]): ReferenceOutput[] {
      if (disposed) throw new Error("tflite-reference: model already disposed");
      if (values.length !== inputs.length)
        throw new Error(
          `tflite-reference: model takes ${inputs.length} inputs, got ${values.length}`,
        );
      values.forEach((v, i) => {
        const d = inputs[i].data();
        const target = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        if (v.byteLength !== target.length) {
          throw new Error(
            `tflite-reference: input ${i} '${inputs[i].name}' takes ${target.length} bytes, got ${v.byteLength}`,
          );
        }
        target.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      });
      stderrLines = [];
      if (!runner.Infer())
        throw new Error(`tflite-reference: inference failed\n${stderrLines.join("\n")}`);
      return outputs.map(copyOut);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const t of [...inputs, ...outputs]) t.delete();
      runner.delete();
      wasm._free(ptr);
    },
  };
}

/** Mean milliseconds per inference of a one-input model over `runs` runs, after a warm-up. */
export async function timeReference(
  model: Uint8Array,
  input: ArrayBufferView,
  runs: number,
): Promise<number> {
  const ref = await loadReference(model);
  try {
    for (let i = 0; i < 3; i++) ref.run([input]);
    const start = performance.now();
    for (let i = 0; i < runs; i++) ref.run([input]);
    return (performance.now() - start) / Math.max(runs, 1);
  } finally {
    ref.dispose();
  }
}
