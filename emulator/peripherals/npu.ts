// The NPU (MCX N947's eIQ Neutron): a peripheral with its own clock. A job is a run of
// layers; its time is set-up plus, per layer, a layer overhead, its MACs at the MAC rate the
// layer's shape allows, its activation bytes over the bus and its weights read in place from
// flash, all at the NPU clock. The constants are fitted to NXP's published latencies
// (docs/cost-model.md, "NPU"). The layers' arithmetic is TFLite's
// integer arithmetic, which the firmware's kernels compute bit for bit: once a job is done
// the firmware evaluates its layers between compute-begin and compute-end, and the board
// charges that code to the NPU's datapath (already timed), not to the CPU.
import type { NpuSpec } from "../board.ts";
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { NoNpu } from "./unimplemented.ts";
import { Fault } from "../faults.ts";
import { builtinOpCode } from "../model/tflite-model.ts";

/**
 * Which ops the NPU takes, as the bit mask of TFLite builtin codes it hands the firmware
 * (hal.wit npu.capabilities; one bit per code, so codes 0-31 only). The board file's `ops`
 * list is the one table: the firmware places layers by this mask, and the host's
 * `tinyboard model` derives its placement from the same mask (model/npu-timing.ts).
 */
export function npuOpMask(spec: NpuSpec): number {
  let mask = 0;
  for (const name of spec.ops) {
    const code = builtinOpCode(name);
    if (code >= 0 && code < 32) mask |= 1 << code;
  }
  return mask >>> 0;
}
const MAX_LAYERS_PER_JOB = 4096;
/** Words per layer in a job descriptor (hal.wit npu.submit): layer, op, MACs, activation
 *  bytes, weight bytes, input channels. */
export const JOB_WORDS = 6;
const DEPTHWISE = builtinOpCode("DEPTHWISE_CONV_2D");

/** What the NPU's timing needs of a layer (the job descriptor's words). */
export interface NpuLayerWork {
  /** TFLite builtin operator code. */
  op: number;
  macs: number;
  /** Activation bytes read and written. */
  bytes: number;
  /** Constant bytes (weights, biases) read from where the model lies. */
  weightBytes: number;
  /** Channels of the first input: the depth each output's MACs reduce over. */
  channels: number;
}

/**
 * NPU cycles of one layer, without the job's set-up: the per-layer overhead, the MACs at the
 * rate the layer's input depth allows (a layer with fewer input channels than the array's
 * vector leaves the rest idle; depthwise layers reach a fixed share of the rate), activations
 * at the bus width and weights at the flash read rate.
 */
export function npuLayerCycles(npu: NpuSpec, l: NpuLayerWork): number {
  const fill = Math.min(Math.max(l.channels, 1), npu.channelVector) / npu.channelVector;
  const rate = npu.macsPerCycle * fill * (l.op === DEPTHWISE ? npu.depthwiseEfficiency : 1);
  return (
    npu.layerCycles +
    Math.ceil(l.macs / rate) +
    Math.ceil(l.bytes / npu.bytesPerCycle) +
    Math.ceil(l.weightBytes / npu.weightBytesPerCycle)
  );
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

interface Job {
  id: number;
  done: number;
  computed: boolean;
}

export class Npu implements Peripheral {
  readonly module = "tinyboard:hal/npu@0.1.0";
  private nextId = 1;
  private busyUntil = 0;
  private job: Job | null = null;
  private computing: Job | null = null;
  private jobs = 0;
  private layers = 0;
  private macs = 0;
  private npuCycles = 0;

  constructor(
    private readonly ctx: BoardContext,
    private readonly spec: NpuSpec,
  ) {}

  /** Bit mask of TFLite builtin codes the NPU takes (hal.wit npu.capabilities). */
  capabilities(): number {
    return npuOpMask(this.spec);
  }

  imports() {
    return {
      capabilities: () => this.capabilities(),
      "macs-per-cycle": () => this.spec.macsPerCycle,
      submit: (desc: number) => this.submit(desc >>> 0),
      wait: (id: number) => this.wait(id),
      "compute-begin": (id: number) => this.computeBegin(id),
      "compute-end": (id: number) => this.computeEnd(id),
    };
  }

  private submit(desc: number): number {
    const { ctx, spec } = this;
    const mem = ctx.memory();
    const count = dataView(mem.read("npu.submit", desc, 4)).getUint32(0, true);
    if (count === 0 || count > MAX_LAYERS_PER_JOB)
      throw new Fault("bad-hal-argument", `npu.submit: job of ${count} layers`);
    const words = dataView(mem.read("npu.submit", desc + 4, count * JOB_WORDS * 4));
    const toCpu = ctx.clock.hz / spec.clockHz;
    const start = Math.max(ctx.clock.now, this.busyUntil);
    let at = start;
    const emit = ctx.events.listenerCount("layerBegin") + ctx.events.listenerCount("layerEnd") > 0;
    for (let i = 0; i < count; i++) {
      const w = i * JOB_WORDS * 4;
      const layer = words.getUint32(w, true);
      const work: NpuLayerWork = {
        op: words.getUint32(w + 4, true),
        macs: words.getUint32(w + 8, true),
        bytes: words.getUint32(w + 12, true),
        weightBytes: words.getUint32(w + 16, true),
        channels: words.getUint32(w + 20, true),
      };
      const { op, macs } = work;
      const cycles = (i === 0 ? spec.setupCycles : 0) + npuLayerCycles(spec, work);
      const end = at + Math.ceil(cycles * toCpu);
      if (emit) {
        ctx.events.emit("layerBegin", layer, op, at, "npu");
        ctx.events.emit("layerEnd", layer, end, "npu");
      }
      at = end;
      this.layers++;
      this.macs += macs;
      this.npuCycles += cycles;
    }
    this.jobs++;
    this.busyUntil = at;
    this.job = { id: this.nextId++, done: at, computed: false };
    if (ctx.events.listenerCount("peripheral"))
      ctx.events.emit(
        "peripheral",
        "npu",
        `job ${this.job.id}: ${count} layer${count === 1 ? "" : "s"}`,
        start,
        at,
      );
    return this.job.id;
  }

  private wait(id: number): number {
    const job = this.job;
    if (!job || job.id !== id) return -1;
    this.ctx.idleUntil(job.done);
    return 0;
  }

  private computeBegin(id: number): void {
    const job = this.job;
    if (!job || job.id !== id || job.computed || this.ctx.clock.now < job.done) {
      throw new Fault(
        "bad-hal-argument",
        `npu.compute-begin: job ${id} is not a finished job awaiting its results`,
      );
    }
    job.computed = true;
    this.computing = job;
    this.ctx.pauseMeter();
  }

  private computeEnd(id: number): void {
    if (!this.computing || this.computing.id !== id)
      throw new Fault("bad-hal-argument", `npu.compute-end: job ${id} was not begun`);
    this.computing = null;
    this.ctx.resumeMeter();
  }

  stats() {
    return { jobs: this.jobs, layers: this.layers, macs: this.macs, npuCycles: this.npuCycles };
  }
}

export const npuPeripheral: PeripheralModule = {
  name: "npu",
  wit: "npu",
  lines: [], // wait blocks until the job is done
  stats: ["jobs", "layers", "macs", "npuCycles"],
  // A board without one (or a CPU-only run) answers the capability queries with 0.
  create: (ctx, setup) =>
    setup.target.board.npu && !setup.noNpu ? new Npu(ctx, setup.target.board.npu) : new NoNpu(ctx),
};
