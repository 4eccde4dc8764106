// In-place edits of a .tflite file for layer-by-layer differential tests: keep the model's
// tensors and buffers, but run only a prefix of its layers, or one layer on its own.
import { ByteBuffer } from "flatbuffers";
import { readModel } from "../../emulator/model/tflite-model.ts";

interface Spots {
  inputs: number;
  outputs: number;
  ops: number;
  view: DataView;
  bytes: Uint8Array;
}

/** File offsets of subgraph 0's input, output and operator vectors, in a copy of the model. */
function spots(model: Uint8Array): Spots {
  const bytes = new Uint8Array(model); // a copy: a Buffer's slice() would be a view of the caller's bytes
  const bb = new ByteBuffer(bytes);
  const field = (table: number, id: number) => {
    const vt = table - bb.readInt32(table);
    const o = id * 2 + 4 < bb.readUint16(vt) ? bb.readUint16(vt + 4 + 2 * id) : 0;
    if (!o) throw new Error(`field ${id} absent`);
    return table + o;
  };
  const deref = (at: number) => at + bb.readUint32(at);
  const sg = deref(deref(field(bb.readUint32(0), 2)) + 4);
  return {
    inputs: deref(field(sg, 1)),
    outputs: deref(field(sg, 2)),
    ops: deref(field(sg, 3)),
    view: new DataView(bytes.buffer),
    bytes,
  };
}

/** The model cut after layer `k`: its output is layer k's first output. */
export function prefix(model: Uint8Array, k: number): Uint8Array {
  const info = readModel(model);
  const s = spots(model);
  s.view.setUint32(s.outputs, 1, true);
  s.view.setUint32(s.outputs + 4, info.operators[k].outputs[0], true);
  s.view.setUint32(s.ops, k + 1, true);
  return s.bytes;
}

/** Layer `k` alone: input = its first input, output = its first output. */
export function singleLayer(model: Uint8Array, k: number): Uint8Array {
  const info = readModel(model);
  const s = spots(model);
  const op = info.operators[k];
  const opTable = s.ops + 4 + 4 * k + s.view.getUint32(s.ops + 4 + 4 * k, true);
  s.view.setUint32(s.inputs, 1, true);
  s.view.setUint32(s.inputs + 4, op.inputs[0], true);
  s.view.setUint32(s.outputs, 1, true);
  s.view.setUint32(s.outputs + 4, op.outputs[0], true);
  s.view.setUint32(s.ops, 1, true);
  s.view.setUint32(s.ops + 4, opTable - (s.ops + 4), true);
  return s.bytes;
}
