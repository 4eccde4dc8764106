// The DAP's Variables view: scopes (the stopped statement's locals, the layer's tensors, every
// activation tensor, the peripherals) and what each expands to, by variables reference.
import { Handles, Scope } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { DebugEngine } from "./engine.ts";
import type { TensorData } from "./inspector.ts";
import { formatLocal } from "./local-value.ts";
import { hex } from "./board-views.ts";
import { dequantize, rawValues, stats, describeQuantization } from "./tensor-view.ts";

type VarRef =
  | { kind: "locals" }
  | { kind: "layer" }
  | { kind: "activations" }
  | { kind: "peripherals" }
  | { kind: "tensor"; ref: string }
  | { kind: "peripheral"; name: string };

export class DapVariables {
  private readonly refs = new Handles<VarRef>();

  /** Forgets every reference handed out (they are valid while stopped). */
  reset(): void {
    this.refs.reset();
  }

  scopes(engine: DebugEngine | null): Scope[] {
    return [
      ...(engine?.lastStop?.statement
        ? [new Scope("Locals", this.refs.create({ kind: "locals" }), false)]
        : []),
      new Scope("Layer tensors", this.refs.create({ kind: "layer" }), false),
      new Scope("Activation tensors", this.refs.create({ kind: "activations" }), true),
      new Scope("Peripherals", this.refs.create({ kind: "peripherals" }), false),
    ];
  }

  async variables(engine: DebugEngine, reference: number): Promise<DebugProtocol.Variable[]> {
    const ref = this.refs.get(reference);
    let variables: DebugProtocol.Variable[] = [];
    try {
      if (ref?.kind === "locals") {
        const l = await engine.locals();
        variables = l.locals.map((v) => ({
          name: v.name,
          value: formatLocal(v, false),
          type: v.type,
          variablesReference: 0,
        }));
      } else if (ref?.kind === "layer" || ref?.kind === "activations") {
        const { model } = await engine.model();
        const layer = engine.lastStop?.layer;
        let ids: { label: string; index: number }[];
        if (ref.kind === "activations")
          ids = model.tensors
            .filter((t) => !t.isConstant)
            .map((t) => ({ label: `#${t.index}`, index: t.index }));
        else if (!layer) ids = [];
        else {
          const op = model.operators[layer.index];
          ids = [
            ...op.inputs.filter((t) => t >= 0).map((t, k) => ({ label: `input ${k}`, index: t })),
            ...op.outputs.map((t, k) => ({ label: `output ${k}`, index: t })),
          ];
        }
        for (const { label, index } of ids)
          variables.push(await this.tensorVariable(engine, label, String(index)));
      } else if (ref?.kind === "tensor") {
        variables = this.tensorDetails(await engine.tensor(ref.ref));
      } else if (ref?.kind === "peripherals") {
        const p = await engine.peripherals();
        const hz = engine.opts.target.core.clockHz;
        variables = [
          {
            name: "cycles",
            value: `${p.cycles} (${((p.cycles / hz) * 1e3).toFixed(3)} ms)`,
            variablesReference: 0,
          },
          { name: "busy cycles", value: String(p.busy), variablesReference: 0 },
          { name: "idle cycles", value: String(p.idle), variablesReference: 0 },
          {
            name: "event lines pending",
            value: `0b${p.pendingLines.toString(2)}`,
            variablesReference: 0,
          },
          ...Object.entries(p.peripherals).map(([name, v]) => ({
            name,
            value: Object.entries(v)
              .map(([a, b]) => `${a} ${b}`)
              .join(", "),
            variablesReference: this.refs.create({ kind: "peripheral", name }),
          })),
        ];
      } else if (ref?.kind === "peripheral") {
        const p = await engine.peripherals();
        variables = Object.entries(p.peripherals[ref.name] ?? {}).map(([name, v]) => ({
          name,
          value: String(v),
          variablesReference: 0,
        }));
      }
    } catch (e) {
      variables = [{ name: "(unavailable)", value: (e as Error).message, variablesReference: 0 }];
    }
    return variables;
  }

  private async tensorVariable(
    engine: DebugEngine,
    label: string,
    ref: string,
  ): Promise<DebugProtocol.Variable> {
    const t = await engine.tensor(ref);
    const head = `${t.info.type} [${t.info.shape.join(",")}]`;
    let value = `${head} (${t.note})`;
    if (t.valid && t.bytes.length) {
      const s = stats(dequantize(t.info, rawValues(t.info, t.bytes)));
      value = `${head} min ${s.min.toFixed(4)} max ${s.max.toFixed(4)} mean ${s.mean.toFixed(4)}`;
    }
    return {
      name: `${label}: ${t.info.name || `tensor ${t.info.index}`}`,
      value,
      variablesReference: this.refs.create({ kind: "tensor", ref }),
      memoryReference: t.address ? String(t.address) : undefined,
    };
  }

  private tensorDetails(t: TensorData): DebugProtocol.Variable[] {
    const v = (name: string, value: string) => ({ name, value, variablesReference: 0 });
    const out = [
      v("index", String(t.info.index)),
      v("type", t.info.type),
      v("shape", `[${t.info.shape.join(", ")}]`),
      v("quantisation", describeQuantization(t.info)),
      v("address", `${hex(t.address)} (${t.where})`),
      v("state", t.note),
    ];
    if (t.valid && t.bytes.length) {
      const raw = rawValues(t.info, t.bytes);
      const real = dequantize(t.info, raw);
      const rs = stats(raw);
      out.push(
        v(
          "values",
          `min ${rs.min} max ${rs.max} mean ${rs.mean.toFixed(4)}; first: ${Array.from(raw.subarray(0, 16)).join(" ")}`,
        ),
      );
      out.push(v("dequantized", Array.from(real.subarray(0, 16), (x) => x.toFixed(4)).join(" ")));
    }
    return out;
  }
}
