// HAL interfaces declared in the contract but not emulated on this board yet: calling one
// is a fault that says so, never a silent no-op.
import type { BoardContext, Peripheral } from "./peripheral.ts";
import { Fault } from "../faults.ts";

const FUNCTIONS: Record<string, string[]> = {
  npu: ["submit", "wait", "compute-begin", "compute-end"],
};

export class Unimplemented implements Peripheral {
  readonly module: string;

  constructor(private readonly ctx: BoardContext, private readonly iface: keyof typeof FUNCTIONS) {
    this.module = `tinyboard:hal/${iface}@0.1.0`;
  }

  imports() {
    const out: Record<string, () => never> = {};
    for (const fn of FUNCTIONS[this.iface]) {
      out[fn] = () => {
        throw new Fault("not-implemented", `${this.iface} not implemented on this board (${this.ctx.target.board.id}): ${this.iface}.${fn}`);
      };
    }
    return out;
  }
}

/** The NPU's capability queries answer honestly on boards without one; jobs fault. */
export class NoNpu extends Unimplemented {
  constructor(ctx: BoardContext) {
    super(ctx, "npu");
  }

  imports() {
    return { ...super.imports(), capabilities: () => 0, "macs-per-cycle": () => 0 } as any;
  }
}
