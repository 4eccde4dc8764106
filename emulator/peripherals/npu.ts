// The NPU (MCX N947's eIQ Neutron): a peripheral with its own clock. A job is a run of
// layers; its time is set-up plus, per layer, its MACs at the NPU's MACs per cycle and the
// bytes it moves over the bus, all at the NPU clock. The layers' arithmetic is TFLite's
// integer arithmetic, which the firmware's kernels compute bit for bit: once a job is done
// the firmware evaluates its layers between compute-begin and compute-end, and the board
// charges that code to the NPU's datapath (already timed), not to the CPU.
import type { NpuSpec } from "../board.ts";
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { NoNpu } from "./unimplemented.ts";
import { Fault } from "../faults.ts";

/** TFLite builtin operator codes of the ops an NPU may list in its board file. */
const OP_CODES: Record<string, number> = { ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 9, MAX_POOL_2D: 17, MUL: 18, RESHAPE: 22, SOFTMAX: 25 };
const MAX_LAYERS_PER_JOB = 4096;

export interface NpuLayerTiming {
  layer: number;
  op: number;
  macs: number;
  bytes: number;
  /** NPU cycles of this layer (the job's set-up is charged to its first layer). */
  npuCycles: number;
}

/** NPU cycles of one layer: MACs at the MAC rate plus bytes at the bus width. */
export function npuLayerCycles(npu: NpuSpec, macs: number, bytes: number): number {
  return Math.ceil(macs / npu.macsPerCycle) + Math.ceil(bytes / npu.bytesPerCycle);
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

  constructor(private readonly ctx: BoardContext, private readonly spec: NpuSpec) {}

  /** Bit mask of TFLite builtin codes the NPU takes (hal.wit npu.capabilities). */
  capabilities(): number {
    let mask = 0;
    for (const name of this.spec.ops) if (OP_CODES[name] !== undefined && OP_CODES[name] < 32) mask |= 1 << OP_CODES[name];
    return mask >>> 0;
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
    if (count === 0 || count > MAX_LAYERS_PER_JOB) throw new Fault("bad-hal-argument", `npu.submit: job of ${count} layers`);
    const words = dataView(mem.read("npu.submit", desc + 4, count * 16));
    const toCpu = ctx.clock.hz / spec.clockHz;
    const start = Math.max(ctx.clock.now, this.busyUntil);
    let at = start;
    const emit = ctx.events.listenerCount("layerBegin") + ctx.events.listenerCount("layerEnd") > 0;
    for (let i = 0; i < count; i++) {
      const layer = words.getUint32(i * 16, true);
      const op = words.getUint32(i * 16 + 4, true);
      const macs = words.getUint32(i * 16 + 8, true);
      const bytes = words.getUint32(i * 16 + 12, true);
      const cycles = (i === 0 ? spec.setupCycles : 0) + npuLayerCycles(spec, macs, bytes);
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
    if (ctx.events.listenerCount("peripheral")) ctx.events.emit("peripheral", "npu", `job ${this.job.id}: ${count} layer${count === 1 ? "" : "s"}`, start, at);
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
      throw new Fault("bad-hal-argument", `npu.compute-begin: job ${id} is not a finished job awaiting its results`);
    }
    job.computed = true;
    this.computing = job;
    this.ctx.pauseMeter();
  }

  private computeEnd(id: number): void {
    if (!this.computing || this.computing.id !== id) throw new Fault("bad-hal-argument", `npu.compute-end: job ${id} was not begun`);
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
  create: (ctx, setup) => (setup.target.board.npu && !setup.noNpu ? new Npu(ctx, setup.target.board.npu) : new NoNpu(ctx)),
};
