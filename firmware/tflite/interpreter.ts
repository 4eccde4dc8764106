// The interpreter: reads a model in place, prepares a kernel per layer, plans the arena in
// SRAM and runs the layers in order. On a board with an NPU, runs of consecutive layers the
// NPU takes go to it as one job (as a converter's NPU subgraph would); the rest run here.
import { Model } from "./model";
import { Tensor } from "./tensor";
import { Kernel } from "./kernel";
import { ARENA_ALIGN, ArenaPlan, planArena } from "./planner";
import { createKernel, createLaterKernel } from "./kernels/registry";
import { ChannelQuant } from "./kernels/common/channel-quant";
import { Q_BYTES } from "./kernels/common/requant";
import { OP_RESHAPE, TYPE_INT8 } from "./schema";
import * as debug from "../../hal/debug";
import * as npu from "../../hal/npu";
import { partitionBase, partitionProblem, partitionSize } from "../partitions";

/** Job descriptor words per layer: layer index, op code, MACs, bytes moved. */
const JOB_WORDS: i32 = 6; // layer, op, MACs, activation bytes, weight bytes, input channels (hal.wit npu.submit)

export class Interpreter {
  readonly model: Model;
  error: string = "";
  /** The head's tensor area (the plan's tensorBytes; each tensor's offset is in its data). */
  tensorBytes: i32 = 0;
  kernels: StaticArray<Kernel> = new StaticArray<Kernel>(0);
  /** The arena's head, as TFLM's: the tensors and each layer's scratch area (kernel scratch,
   *  then its requantisation records), planned together so that a layer's scratch lies where
   *  no tensor alive during that layer does. Base 16-byte aligned. */
  arena: usize = 0;
  arenaBytes: i32 = 0;
  /** The arena's tail: what the engine keeps for the whole run (the parsed model, kernels and
   *  their data such as per-channel multipliers and shifts), measured as the heap the
   *  constructor took besides the head. head + tail is TFLM's arena_used_bytes(). */
  persistentBytes: i32 = 0;
  private job: usize = 0;

  constructor(base: usize, size: u32) {
    const start = heapMark();
    this.model = new Model(base, size);
    if (this.model.error.length > 0) this.error = this.model.error;
    else this.prepare();
    this.persistentBytes = <i32>(heapMark() - start) - (this.arena != 0 ? this.arenaBytes + ARENA_ALIGN : 0);
  }

  /** TFLM's arena_used_bytes(): head (tensors, scratch) plus tail (persistent data). */
  get arenaUsedBytes(): i32 {
    return this.arenaBytes + this.persistentBytes;
  }

  /** The model in the named flash partition; `error` names the partitions there are when
   *  the name is wrong. */
  static fromPartition(name: string): Interpreter {
    const problem = partitionProblem(name);
    const engine = new Interpreter(partitionBase(name), partitionSize(name));
    if (problem.length > 0) engine.error = problem;
    return engine;
  }

  get ok(): bool {
    return this.error.length == 0;
  }

  input(i: i32): Tensor {
    this.mustBeReady();
    return this.model.tensors[this.model.inputs[i]];
  }

  output(i: i32): Tensor {
    this.mustBeReady();
    return this.model.tensors[this.model.outputs[i]];
  }

  /** An app that did not check `ok` stops here with the reason, not deep inside a kernel. */
  private mustBeReady(): void {
    if (this.error.length > 0) assert(false, "the interpreter is not ready: " + this.error + " (check engine.ok before using it)");
  }

  /** Layers of the model. */
  get layerCount(): i32 {
    return this.kernels.length;
  }

  /** Whether the NPU runs layer i. */
  layerOnNpu(i: i32): bool {
    return this.kernels[i].onNpu;
  }

  get tensorCount(): i32 {
    return this.model.tensors.length;
  }

  /** Tensor i's offset in the arena as planned, -1 when it is not there (constants, unused). */
  tensorOffset(i: i32): i32 {
    const t = this.model.tensors[i];
    return t.isConstant || t.data == 0 ? -1 : <i32>(t.data - this.arena);
  }

  get inputCount(): i32 {
    return this.model.inputs.length;
  }

  get outputCount(): i32 {
    return this.model.outputs.length;
  }

  private fail(why: string): void {
    if (this.error.length == 0) this.error = why;
  }

  private prepare(): void {
    const ops = this.model.operators;
    const n = ops.length;
    this.kernels = new StaticArray<Kernel>(n);
    const npuOps = npu.capabilities();
    let longestNpuRun = 0;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      for (let k = 0; k < op.inputCount; k++) {
        if (op.hasInput(k) && !op.input(k).isConstant && op.input(k).elementBytes == 0) return this.fail(layerName(i, op.name) + ": input of unsupported type");
      }
      let kernel = createKernel(op.code);
      if (kernel === null) {
        kernel = createLaterKernel(op.code);
        if (kernel === null) return this.fail(layerName(i, op.name) + ": operator not supported");
      }
      kernel.op = op;
      const why = kernel.prepare();
      if (why.length > 0) return this.fail(layerName(i, op.name) + ": " + why);
      if (this.model.fb.error.length > 0) return this.fail(layerName(i, op.name) + ": " + this.model.fb.error);
      this.kernels[i] = kernel;
      kernel.onNpu = op.code < 32 && (npuOps & (1 << op.code)) != 0 && op.output(0).type == TYPE_INT8;
    }
    // A run of NPU layers that are all RESHAPE has no work for the NPU, only its set-up: it
    // stays on the CPU (a reshape is a no-op there), as a converter would leave it. The host
    // predicts this placement by the same rule (emulator/model/npu-timing.ts npuPlacement,
    // from the same capability mask); test/model/npu.test.ts checks the two agree.
    let start = 0;
    for (let i = 0; i <= n; i++) {
      if (i < n && this.kernels[i].onNpu) continue;
      let work = false;
      for (let k = start; k < i; k++) if (ops[k].code != OP_RESHAPE) work = true;
      for (let k = start; k < i; k++) this.kernels[k].onNpu = work;
      if (work) longestNpuRun = max(longestNpuRun, i - start);
      start = i + 1;
    }
    // The plan is temporary, as TFLM's (made in the arena's temporary area): its offsets go
    // into the tensors and kernels, then its blocks, the last on the heap, are given back.
    const planMark = heapMark();
    const layerBytes = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) {
      const kernel = this.kernels[i];
      kernel.expandsRecords = kernel.readsRecords();
      layerBytes[i] = areaBytes(kernel);
    }
    const plan = planArena(this.model, layerBytes);
    if (plan.headBytes > plan.tensorBytes) this.takeLeanPaths(plan, layerBytes);
    this.arenaBytes = plan.headBytes;
    this.tensorBytes = plan.tensorBytes;
    const tensors = this.model.tensors;
    const offsets = plan.offsets, layerOffsets = plan.layerOffsets;
    // Each layer's records go right after its kernel scratch (an offset until the arena is placed).
    for (let i = 0; i < n; i++) {
      const kernel = this.kernels[i];
      const at = <usize>max(layerOffsets[i], 0);
      if (kernel.expandsRecords) kernel.quant!.records = at + kernel.scratch;
      kernel.scratch = at;
    }
    for (let t = 0; t < tensors.length; t++) {
      if (offsets[t] >= 0) tensors[t].data = <usize>offsets[t];
      else if (!tensors[t].isConstant) tensors[t].data = NOT_IN_ARENA;
    }
    freeObject(changetype<usize>(layerOffsets));
    freeObject(changetype<usize>(offsets));
    freeObject(changetype<usize>(plan));
    freeObject(changetype<usize>(layerBytes));
    // freeObject relies on the runtime's object header and on these being the heap's last
    // blocks: a block not given back would stay in the tail for good, so it is an error.
    const kept = <i32>(heapMark() - planMark);
    if (kept != 0) return this.fail("the arena plan's blocks were not given back (" + kept.toString() + " bytes kept)");
    // The arena comes from the heap once: running out of SRAM is the board's fault report.
    const raw = heap.alloc(<usize>this.arenaBytes + ARENA_ALIGN);
    this.arena = (raw + ARENA_ALIGN - 1) & ~(<usize>ARENA_ALIGN - 1);
    for (let i = 0; i < n; i++) {
      const kernel = this.kernels[i];
      kernel.scratch += this.arena;
      if (kernel.expandsRecords) kernel.quant!.records += this.arena;
    }
    for (let t = 0; t < tensors.length; t++) {
      const tensor = tensors[t];
      if (tensor.isConstant) continue;
      tensor.data = tensor.data == NOT_IN_ARENA ? 0 : this.arena + tensor.data;
    }
    if (longestNpuRun > 0) this.job = heap.alloc(<usize>(4 + longestNpuRun * JOB_WORDS * 4));
    // Where the model and its arena lie, for a debugger (two HAL calls, once).
    debug.report(debug.REPORT_MODEL, this.model.fb.base, <i32>this.model.fb.size);
    debug.report(debug.REPORT_ARENA, this.arena, this.arenaBytes);
  }

  /** A layer whose scratch area alone makes the head longer (it ends past the tensors and past
   *  every area that cannot shrink) takes its kernel's leaner path where it has one (kws's
   *  depthwise layers: TFLM's kernels keep no such rows, so its arena is the tensors alone).
   *  A smaller area fits where the larger one was: offsets stay, the head's end is found again. */
  private takeLeanPaths(plan: ArenaPlan, layerBytes: StaticArray<i32>): void {
    const offsets = plan.layerOffsets;
    let floor = plan.tensorBytes;
    for (let i = 0; i < layerBytes.length; i++) {
      // Only an area ending past the floor so far can raise it (one virtual call for those alone).
      const end = offsets[i] + layerBytes[i];
      if (offsets[i] >= 0 && end > floor && !this.kernels[i].hasLeanPath()) floor = end;
    }
    let head = floor;
    for (let i = 0; i < layerBytes.length; i++) {
      if (offsets[i] < 0) continue;
      const kernel = this.kernels[i];
      if (offsets[i] + layerBytes[i] > floor && kernel.hasLeanPath()) {
        kernel.useLeanPath();
        kernel.expandsRecords = kernel.readsRecords();
        layerBytes[i] = areaBytes(kernel);
      }
      head = max(head, offsets[i] + layerBytes[i]);
    }
    plan.headBytes = head;
  }

  /** Runs one inference over the input tensors' data. */
  invoke(): void {
    this.mustBeReady();
    const n = this.kernels.length;
    let i = 0;
    while (i < n) {
      if (unchecked(this.kernels[i]).onNpu) {
        i = this.runOnNpu(i);
        continue;
      }
      const kernel = unchecked(this.kernels[i]);
      debug.layerBegin(<u32>i, <u32>kernel.op.code);
      if (kernel.expandsRecords) changetype<ChannelQuant>(kernel.quant).expand();
      kernel.eval(kernel.scratch);
      debug.layerEnd(<u32>i);
      i++;
    }
  }

  /** Sends layers from `from` while the NPU takes them as one job; returns the next layer. */
  private runOnNpu(from: i32): i32 {
    const n = this.kernels.length;
    let to = from;
    while (to < n && unchecked(this.kernels[to]).onNpu) to++;
    const job = this.job;
    store<u32>(job, <u32>(to - from));
    for (let i = from; i < to; i++) {
      const kernel = unchecked(this.kernels[i]);
      const at = job + 4 + <usize>((i - from) * JOB_WORDS * 4);
      store<u32>(at, <u32>i);
      store<u32>(at, <u32>kernel.op.code, 4);
      store<u32>(at, <u32>min<u64>(kernel.macs(), u32.MAX_VALUE), 8);
      store<u32>(at, <u32>bytesMoved(kernel, false), 12);
      store<u32>(at, <u32>bytesMoved(kernel, true), 16);
      store<u32>(at, <u32>inputChannels(kernel), 20);
    }
    const id = npu.submit(job);
    npu.wait(id);
    // The NPU's arithmetic is TFLite's integer arithmetic, which is what the kernels compute:
    // the emulator runs them inside this bracket without charging the CPU (see hal.wit).
    npu.computeBegin(id);
    for (let i = from; i < to; i++) {
      const kernel = unchecked(this.kernels[i]);
      // The NPU's command stream holds the records; the CPU does not pay for them.
      if (kernel.expandsRecords) changetype<ChannelQuant>(kernel.quant).expand();
      kernel.eval(kernel.scratch);
    }
    npu.computeEnd(id);
    return to;
  }
}

/** "layer 3 (CONV_2D)", made only for a message: every string stays in the heap for good. */
function layerName(i: i32, name: string): string {
  return "layer " + i.toString() + " (" + name + ")";
}

/** The heap's current end (the stub runtime bumps): a zero-byte block, given straight back. */
function heapMark(): usize {
  const mark = heap.alloc(0);
  heap.free(mark);
  return mark;
}

/** Gives a heap object back to the stub runtime's bump allocator, which reclaims it when it is
 *  the last block (else nothing happens): its block starts the object header before the fields
 *  (OBJECT_OVERHEAD, 16 bytes, in AssemblyScript's rt/common.ts). */
function freeObject(object: usize): void {
  heap.free(object - 16);
}

/** A tensor's data while the plan's offsets wait for the arena: none for this tensor. */
const NOT_IN_ARENA: usize = <usize>-1;

function alignArena(bytes: i32): i32 {
  return (bytes + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

/** Bytes a layer reads from its constants (weights), or of activations it reads and writes. */
function bytesMoved(kernel: Kernel, constants: bool): i32 {
  const op = kernel.op;
  let bytes = 0;
  for (let k = 0; k < op.inputCount; k++) if (op.hasInput(k) && op.input(k).isConstant == constants) bytes += op.input(k).bytes;
  if (!constants) for (let k = 0; k < op.outputCount; k++) bytes += op.output(k).bytes;
  return bytes;
}

/** Channels (innermost dimension) of a layer's first input: the depth its MACs reduce over. */
function inputChannels(kernel: Kernel): i32 {
  const op = kernel.op;
  if (!op.hasInput(0)) return 1;
  const t = op.input(0);
  return t.rank > 0 ? t.dim(-1) : 1;
}

/** A layer's scratch area: its kernel scratch (the size kept in `scratch` until the plan's
 *  offset replaces it), then its requantisation records. */
function areaBytes(kernel: Kernel): i32 {
  kernel.scratch = <usize>alignArena(kernel.scratchBytes());
  return <i32>kernel.scratch + (kernel.expandsRecords ? kernel.quant!.channels * Q_BYTES : 0);
}
