// What a stopped worker can answer about the firmware: the model the interpreter prepared
// (reported through debug.report: its bytes in flash, then its arena in SRAM), its tensors
// (read where the firmware keeps them: constants in flash, activations at their planned arena
// offset), memory, the flash and SRAM map, and whether a tensor's bytes are still its own.
import type { Machine } from "../machine.ts";
import type { Image } from "../toolchain/image.ts";
import { readModel, type TfliteModel, type TensorInfo } from "../model/tflite-model.ts";
import { planArena, type ArenaPlan } from "../model/planner.ts";
import { REPORT_KIND } from "../hal-constants.ts";

export const { model: REPORT_MODEL, arena: REPORT_ARENA } = REPORT_KIND;
const MAX_DUMP = 64 * 1024;

export interface PreparedModel {
  base: number;
  bytes: Uint8Array;
  model: TfliteModel;
  plan: ArenaPlan;
  arena: number;
  arenaBytes: number;
}

export interface TensorData {
  info: TensorInfo;
  /** Address of the data in the firmware's memory. */
  address: number;
  where: "flash" | "arena";
  /** False when the bytes are not (or no longer) this tensor's: not yet computed, or reused. */
  valid: boolean;
  note: string;
  bytes: Uint8Array;
}

export class ModelLog {
  readonly models: PreparedModel[] = [];
  private pending: { base: number; bytes: Uint8Array } | null = null;
  /** Op codes of the running inference's layers so far, and the model they point to. */
  private seen: number[] = [];
  private running: PreparedModel | null = null;

  constructor(machine: Machine) {
    // The layer hooks carry no model id: with several models in flash (voice-control has three)
    // the running one is the last prepared model whose layers match the op codes seen since
    // layer 0. Models that share a prefix of ops stay ambiguous only until they differ.
    machine.events.on("layerBegin", (index, op) => {
      if (index === 0) this.seen = [];
      if (index !== this.seen.length) return; // out of sequence: keep the guess
      this.seen.push(op);
      // The running model matched every earlier layer: only its newest needs checking.
      if (this.running?.model.operators[index]?.code === op) return;
      const matches = (pm: PreparedModel) =>
        pm.model.operators.length > index &&
        this.seen.every((code, i) => pm.model.operators[i].code === code);
      this.running = null;
      for (let m = this.models.length - 1; m >= 0 && !this.running; m--)
        if (matches(this.models[m])) this.running = this.models[m];
    });
    machine.events.on("report", (kind, bytes, _cycles, address) => {
      if (kind === REPORT_MODEL) this.pending = { base: address, bytes };
      else if (kind === REPORT_ARENA && this.pending) {
        try {
          const model = readModel(
            this.pending.bytes,
            `model at 0x${this.pending.base.toString(16)}`,
          );
          this.models.push({
            ...this.pending,
            model,
            plan: planArena(model),
            arena: address,
            arenaBytes: bytes.length,
          });
        } catch {
          /* a model the host cannot read: the firmware refused it too */
        }
        this.pending = null;
      }
    });
  }

  /** The model whose layers run now (before any layer ran: the last one prepared). */
  get current(): PreparedModel | null {
    return this.running ?? this.models[this.models.length - 1] ?? null;
  }
}

/** Resolves a tensor by index or name (exact, else a unique substring). */
export function findTensor(model: TfliteModel, ref: string): TensorInfo {
  const r = ref.trim();
  if (/^\d+$/.test(r)) {
    const t = model.tensors[Number(r)];
    if (!t) throw new Error(`no tensor ${r}: the model has tensors 0..${model.tensors.length - 1}`);
    return t;
  }
  const exact = model.tensors.find((t) => t.name === r);
  if (exact) return exact;
  const partial = model.tensors.filter((t) => t.name.includes(r));
  if (partial.length === 1) return partial[0];
  if (partial.length > 1)
    throw new Error(
      `tensor name '${r}' is ambiguous: ${partial
        .slice(0, 4)
        .map((t) => `${t.index} ${t.name}`)
        .join(", ")}${partial.length > 4 ? ", ..." : ""}`,
    );
  throw new Error(
    `no tensor named '${r}' (use an index 0..${model.tensors.length - 1}, or 'info tensors')`,
  );
}

/**
 * Whether an arena tensor's bytes are its own when `done` layers have completed (layers
 * 0..done-1 ran): it has been produced, and no tensor sharing its bytes has been written since
 * its last use.
 */
export function tensorState(
  pm: PreparedModel,
  t: number,
  done: number,
): { valid: boolean; note: string } {
  const { plan, model } = pm;
  const life = plan.lifetimes[t];
  if (!life) return { valid: false, note: "not in the arena (unused by the graph)" };
  const producer = model.operators.findIndex((op) => op.outputs.includes(t));
  if (producer >= done)
    return { valid: false, note: `not computed yet (layer ${producer} produces it)` };
  const [off, size] = [plan.offsets[t], plan.sizes[t]];
  for (let u = 0; u < plan.offsets.length; u++) {
    const lu = plan.lifetimes[u];
    if (u === t || !lu || lu.first <= life.last || lu.first >= done) continue;
    if (plan.offsets[u] < off + size && off < plan.offsets[u] + plan.sizes[u]) {
      return {
        valid: false,
        note: `its arena bytes were reused by tensor ${u} (layer ${lu.first}) after its last use at layer ${life.last}`,
      };
    }
  }
  return { valid: true, note: producer < 0 ? "model input" : `computed by layer ${producer}` };
}

export function readTensor(
  machine: Machine,
  pm: PreparedModel,
  ref: string,
  done: number,
): TensorData {
  const info = findTensor(pm.model, ref);
  const mem = machine.memory();
  if (info.isConstant && info.data) {
    const address = pm.base + info.data.offset;
    return {
      info,
      address,
      where: "flash",
      valid: true,
      note: "constant, read in place from flash",
      bytes: mem.bytes.slice(address, address + info.data.length),
    };
  }
  const offset = pm.plan.offsets[info.index];
  if (offset < 0)
    return {
      info,
      address: 0,
      where: "arena",
      valid: false,
      note: "not in the arena (unused by the graph)",
      bytes: new Uint8Array(0),
    };
  const address = pm.arena + offset;
  const state = tensorState(pm, info.index, done);
  return {
    info,
    address,
    where: "arena",
    ...state,
    bytes: mem.bytes.slice(address, address + info.byteSize),
  };
}

export function dumpMemory(machine: Machine, address: number, length: number): Uint8Array {
  const mem = machine.memory();
  if (!Number.isInteger(address) || address < 0 || address >= mem.size)
    throw new Error(
      `address 0x${address.toString(16)} is outside the board's memory (0x0-0x${mem.size.toString(16)})`,
    );
  const n = Math.min(length, MAX_DUMP, mem.size - address);
  return mem.bytes.slice(address, address + n);
}

export interface MemoryMap {
  flash: {
    name: string;
    base: number;
    size: number;
    window: number;
    code: number;
    data: number;
    partitions: { name: string; offset: number; size: number }[];
  };
  sram: {
    regions: { name: string; base: number; size: number }[];
    wasmBase: number;
    bytes: number;
    staticEnd: number;
    heapTop: number;
    stackBytes: number;
  };
  arenas: {
    model: number;
    arena: number;
    arenaBytes: number;
    tensorBytes: number;
    scratchBytes: number;
    liveBytes: number;
    liveTensors: number;
  }[];
}

export function memoryMap(
  machine: Machine,
  image: Image,
  models: PreparedModel[],
  heapTop: number,
  done: number,
): MemoryMap {
  const { layout, usage, partitions } = image.manifest;
  const board = machine.target.board;
  return {
    flash: {
      name: board.flash.name,
      base: board.flash.base,
      size: board.flash.size,
      window: layout.flashWindow,
      code: usage.codeBytes,
      data: usage.dataBytes,
      partitions: partitions.map((p) => ({ name: p.name, offset: p.offset, size: p.size })),
    },
    sram: {
      regions: machine.target.sram.map((r) => ({ name: r.name, base: r.base, size: r.size })),
      wasmBase: layout.sramBase,
      bytes: layout.sramBytes,
      staticEnd: layout.staticEnd,
      heapTop,
      stackBytes: layout.stackBytes,
    },
    arenas: models.map((pm) => {
      let liveBytes = 0,
        liveTensors = 0;
      pm.plan.lifetimes.forEach((l, t) => {
        if (
          l &&
          l.first <= Math.max(done, 0) &&
          l.last >= done - 1 &&
          tensorState(pm, t, done).valid
        ) {
          liveBytes += pm.plan.sizes[t];
          liveTensors++;
        }
      });
      return {
        model: pm.base,
        arena: pm.arena,
        arenaBytes: pm.arenaBytes,
        tensorBytes: pm.plan.tensorBytes,
        scratchBytes: pm.arenaBytes - pm.plan.tensorBytes,
        liveBytes,
        liveTensors,
      };
    }),
  };
}
