// A HAL interface declared in the contract but not emulated on this board: every function of
// it (as hal.wit declares them) is a fault that says so, never a silent no-op.
import type { BoardContext, Peripheral } from "./peripheral.ts";
import { Fault } from "../faults.ts";
import { halContract } from "../toolchain/hal-contract.ts";

export class Unimplemented implements Peripheral {
  readonly module: string;

  constructor(
    private readonly ctx: BoardContext,
    private readonly iface: string,
  ) {
    this.module =
      [...halContract().imports.keys()].find(
        (m) => m.replace(/^tinyboard:hal\/|@.*$/g, "") === iface,
      ) ?? `tinyboard:hal/${iface}@0.1.0`;
  }

  imports() {
    const out: Record<string, () => never> = {};
    for (const fn of halContract().imports.get(this.module)?.keys() ?? []) {
      out[fn] = () => {
        throw new Fault(
          "not-implemented",
          `${this.iface} not implemented on this board (${this.ctx.target.board.id}): ${this.iface}.${fn}`,
        );
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
