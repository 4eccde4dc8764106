// The run-time side of the memory hierarchy: when the engine reports a prepared model
// (debug.report REPORT_MODEL), its layers' stall cycles are worked out once for the placement;
// each layer-end then charges its layer's stall to the core (busy time, as a driver's). A run
// without a placement charges nothing, so its cycles are exactly today's.
import type { Target } from "../board.ts";
import { readModel, type TfliteModel } from "../model/tflite-model.ts";
import type { Placement } from "./placement.ts";
import { modelCopyCycles, modelStalls } from "./stall-model.ts";

interface ReportedModel {
  model: TfliteModel;
  stalls: number[];
}

export class LayerStalls {
  private readonly models: ReportedModel[] = [];
  private running: ReportedModel | null = null;
  /** Stall cycles charged so far, per cause (for the run's figures). */
  layerCycles = 0;
  copyCycles = 0;

  constructor(
    private readonly placement: Placement,
    private readonly target: Target,
  ) {}

  /** A model the engine prepared: its per-layer stalls; returns the start-up copy's cycles. */
  modelReported(bytes: Uint8Array): number {
    let model: TfliteModel;
    try {
      model = readModel(bytes);
    } catch {
      return 0; // the engine refuses such a model itself; nothing to time
    }
    const stalls = modelStalls(model, this.placement, this.target).map((l) => l.cycles);
    this.models.push({ model, stalls });
    const copy = modelCopyCycles(bytes.length, this.placement, this.target);
    this.copyCycles += copy;
    return copy;
  }

  /** Layer `index` (builtin `op`) begins: the latest model whose layer it is runs it. */
  layerBegin(index: number, op: number): void {
    for (let i = this.models.length - 1; i >= 0; i--) {
      if (this.models[i].model.operators[index]?.code === op) {
        this.running = this.models[i];
        return;
      }
    }
    this.running = null;
  }

  /** Stall cycles of layer `index` of the running model. */
  layerEnd(index: number): number {
    const c = this.running?.stalls[index] ?? 0;
    this.layerCycles += c;
    return c;
  }
}
