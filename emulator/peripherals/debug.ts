// tinyboard:hal/debug: the profiler's and debugger's hooks (layers, markers, reported blocks);
// free when nobody listens. With a memory placement, the layer hooks also charge each layer's
// memory stalls (memory-hierarchy/layer-stalls.ts); without one they charge nothing.
import type { BoardContext, BoardSetup, Peripheral, PeripheralModule } from "./peripheral.ts";
import { REPORT_KIND } from "../hal-constants.ts";
import { LayerStalls } from "../memory-hierarchy/layer-stalls.ts";

export class DebugHal implements Peripheral {
  readonly module = "tinyboard:hal/debug@0.1.0";
  private readonly stalls: LayerStalls | null;

  constructor(
    private readonly ctx: BoardContext,
    setup?: Pick<BoardSetup, "placement">,
  ) {
    this.stalls = setup?.placement ? new LayerStalls(setup.placement, ctx.target) : null;
  }

  imports() {
    const { ctx, stalls } = this;
    return {
      "layer-begin": (index: number, op: number) => {
        stalls?.layerBegin(index, op);
        if (ctx.events.listenerCount("layerBegin"))
          ctx.events.emit("layerBegin", index, op, ctx.clock.now, "cpu");
      },
      "layer-end": (index: number) => {
        // The layer's memory stalls end it later (busy: the core waits on its loads).
        if (stalls) {
          const c = stalls.layerEnd(index);
          if (c > 0) ctx.busy(c);
        }
        if (ctx.events.listenerCount("layerEnd"))
          ctx.events.emit("layerEnd", index, ctx.clock.now, "cpu");
      },
      report: (kind: number, ptr: number, len: number) => {
        const bytes = ctx.memory().read("debug.report", ptr, len);
        if (stalls && kind === REPORT_KIND.model) {
          const copy = stalls.modelReported(bytes.slice());
          if (copy > 0) ctx.busy(copy);
        }
        if (ctx.events.listenerCount("report"))
          ctx.events.emit("report", kind, bytes.slice(), ctx.clock.now, ptr >>> 0);
      },
      marker: (id: number, ptr: number, len: number) => {
        // The pointer is checked whether or not anyone listens: a bad one faults the same either way.
        const bytes = ctx.memory().read("debug.marker", ptr, len);
        if (ctx.events.listenerCount("marker"))
          ctx.events.emit("marker", id, Buffer.from(bytes).toString("utf8"), ctx.clock.now);
      },
    };
  }

  stats(): Record<string, number> | undefined {
    if (!this.stalls) return undefined;
    return {
      memoryStallCycles: Math.round(this.stalls.layerCycles),
      modelCopyCycles: this.stalls.copyCycles,
    };
  }
}

export const debugPeripheral: PeripheralModule = {
  name: "debug",
  wit: "debug",
  lines: [],
  stats: ["memoryStallCycles", "modelCopyCycles"],
  create: (ctx, setup) => new DebugHal(ctx, setup),
};
