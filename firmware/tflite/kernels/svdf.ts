// SVDF (singular value decomposition filter, TFLM's keyword-spotting layer), as TFLite's
// reference: each invocation shifts the activation state one step left, writes each
// filter's feature dot product into its newest slot, then takes each filter's dot product of
// its memory with its time weights, sums `rank` filters per unit, adds bias and the fused
// activation. The state lives here, not in the arena (whose activation memory the planner
// reuses between layers): zeroed at prepare like TFLM's variable tensors, carried between
// invocations. int8 is TFLM's integer SVDF: int8 input and feature weights, time weights and
// state both int16 or both int8 (TFLM's newer kernel takes either), int32 bias; the feature
// dot product is requantised to the state's scale, plus the state's zero point, clamped to
// the state's type; the time dot products (state minus its zero point) summed in int32 and
// requantised to the output (clamped to int8). The integer path applies no fused activation
// (TFLite's and TFLM's integer SVDF ignore it).
import { Tensor } from "../tensor";
import { ACT_NONE, TYPE_FLOAT32, TYPE_INT16, TYPE_INT32, TYPE_INT8 } from "../schema";
import {
  activationMaxF, activationMinF, isSupportedActivation, multiplyByQuantizedMultiplier, quantizeMultiplier,
  quantizedMultiplierResult, quantizedShiftResult,
} from "../quant";
import { ExtensionOp } from "./extension";

export class Svdf extends ExtensionOp {
  private input: Tensor | null = null;
  private featureWeights: Tensor | null = null;
  private timeWeights: Tensor | null = null;
  private bias: Tensor | null = null;
  private output: Tensor | null = null;
  private state: StaticArray<f32> = new StaticArray<f32>(0);
  private state16: StaticArray<i16> = new StaticArray<i16>(0);
  private state8: StaticArray<i8> | null = null; // only an int8 state allocates
  private stateZero: i32 = 0;
  private narrowState: bool = false;
  private isInt8: bool = false;
  private featureMult: i32 = 0;
  private featureShift: i32 = 0;
  private outputMult: i32 = 0;
  private outputShift: i32 = 0;
  private inputZero: i32 = 0;
  private outputZero: i32 = 0;
  private batches: i32 = 0;
  private inputSize: i32 = 0;
  private filters: i32 = 0;
  private memory: i32 = 0;
  private units: i32 = 0;
  private rank: i32 = 0;
  private fmin: f32 = 0;
  private fmax: f32 = 0;

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 5 || !o.hasInput(0) || !o.hasInput(1) || !o.hasInput(2) || !o.hasInput(4) || o.outputCount < 1) {
      return "needs an input, feature weights, time weights, an activation state and an output";
    }
    const input = o.input(0), wf = o.input(1), wt = o.input(2), state = o.input(4), output = o.output(0);
    this.isInt8 = input.type == TYPE_INT8;
    if (this.isInt8) {
      if (wf.type != TYPE_INT8 || output.type != TYPE_INT8) return "int8 needs int8 feature weights and an int8 output";
      // TFLM reads the state as the time weights' type, so the two must match
      if ((wt.type != TYPE_INT16 && wt.type != TYPE_INT8) || state.type != wt.type) {
        return "int8 needs time weights and activation state both int16 or both int8";
      }
    } else if (input.type != TYPE_FLOAT32 || wf.type != TYPE_FLOAT32 || wt.type != TYPE_FLOAT32 || state.type != TYPE_FLOAT32 || output.type != TYPE_FLOAT32) {
      return "input, weights, state and output must all be float32";
    }
    const act = <i32>o.optU8(1, ACT_NONE);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    const rank = o.optI32(0, 0);
    if (input.rank != 2 || wf.rank != 2 || wt.rank != 2) return "input, feature weights and time weights must be 2-D";
    const batches = input.dim(0), inputSize = input.dim(1), filters = wf.dim(0), memory = wt.dim(1);
    if (wf.dim(1) != inputSize) return "feature weights' depth " + wf.dim(1).toString() + " differs from the input size " + inputSize.toString();
    if (wt.dim(0) != filters) return "time weights have " + wt.dim(0).toString() + " filters, feature weights " + filters.toString();
    if (rank <= 0 || filters % rank != 0) return "rank " + rank.toString() + " does not divide the " + filters.toString() + " filters";
    const units = filters / rank;
    if (state.elements != batches * filters * memory) return "activation state must hold batch x filters x memory (" + (batches * filters * memory).toString() + ") elements";
    if (output.elements != batches * units) return "output must hold batch x units (" + (batches * units).toString() + ") elements";
    const bias = o.inputCount > 3 && o.hasInput(3) ? o.input(3) : null;
    if (bias != null && (bias.type != (this.isInt8 ? TYPE_INT32 : TYPE_FLOAT32) || bias.elements != units)) {
      return "bias must be " + (this.isInt8 ? "int32" : "float32") + " with one value per unit";
    }
    this.input = input;
    this.featureWeights = wf;
    this.timeWeights = wt;
    this.bias = bias;
    this.output = output;
    this.batches = batches;
    this.inputSize = inputSize;
    this.filters = filters;
    this.memory = memory;
    this.units = units;
    this.rank = rank;
    this.fmin = activationMinF(act);
    this.fmax = activationMaxF(act);
    if (this.isInt8) {
      // TFLite forms both scales in float32, then widens them.
      quantizeMultiplier(<f64>(input.scale * wf.scale / state.scale));
      this.featureMult = quantizedMultiplierResult;
      this.featureShift = quantizedShiftResult;
      quantizeMultiplier(<f64>(state.scale * wt.scale / output.scale));
      this.outputMult = quantizedMultiplierResult;
      this.outputShift = quantizedShiftResult;
      this.inputZero = input.zeroPoint;
      this.outputZero = output.zeroPoint;
      this.stateZero = state.zeroPoint;
      this.narrowState = state.type == TYPE_INT8;
      if (this.narrowState) {
        // TFLM resets an int8 variable tensor to its zero point (an int16 one to 0)
        const state8 = new StaticArray<i8>(batches * filters * memory);
        for (let i = 0; i < state8.length; i++) state8[i] = <i8>state.zeroPoint;
        this.state8 = state8;
      } else this.state16 = new StaticArray<i16>(batches * filters * memory);
    } else {
      this.state = new StaticArray<f32>(batches * filters * memory);
    }
    return "";
  }

  eval(scratch: usize): void {
    if (!this.isInt8) this.evalFloat();
    else if (this.narrowState) this.evalZeroPoint<i8>(changetype<usize>(this.state8));
    else if (this.stateZero != 0) this.evalZeroPoint<i16>(changetype<usize>(this.state16));
    else this.evalInt8();
  }

  /** The integer SVDF with a state zero point (int8 time weights and state, or int16 with a zero point). */
  private evalZeroPoint<T>(state: usize): void {
    const size = <usize>sizeof<T>();
    const lo: i32 = size == 1 ? -128 : -32768, hi: i32 = size == 1 ? 127 : 32767;
    const total = this.batches * this.filters * this.memory;
    memory.copy(state, state + size, <usize>(total - 1) * size);
    const src = changetype<Tensor>(this.input).data;
    const wf = changetype<Tensor>(this.featureWeights).data;
    const wt = changetype<Tensor>(this.timeWeights).data;
    const dst = changetype<Tensor>(this.output).data;
    const bias = this.bias;
    const n = this.inputSize, mem = this.memory, zp = this.inputZero, sz = this.stateZero;
    for (let b = 0; b < this.batches; b++) {
      const row = src + <usize>(b * n);
      const bState = state + <usize>(b * this.filters * mem) * size;
      for (let f = 0; f < this.filters; f++) {
        const w = wf + <usize>(f * n);
        let dot: i32 = 0;
        for (let c = 0; c < n; c++) dot += <i32>load<i8>(w + <usize>c) * (<i32>load<i8>(row + <usize>c) - zp);
        // the zero point goes in before the clamp, as TFLM (no wrap when narrowed)
        dot = multiplyByQuantizedMultiplier(dot, this.featureMult, this.featureShift) + sz;
        store<T>(bState + <usize>(f * mem + mem - 1) * size, <T>min<i32>(max<i32>(dot, lo), hi));
      }
      for (let u = 0; u < this.units; u++) {
        let acc: i32 = bias != null ? load<i32>(bias.data + (<usize>u << 2)) : 0;
        for (let r = 0; r < this.rank; r++) {
          const f = u * this.rank + r;
          const s = bState + <usize>(f * mem) * size;
          const t = wt + <usize>(f * mem) * size;
          let sum: i32 = 0;
          for (let j = 0; j < mem; j++) sum += <i32>load<T>(t + <usize>j * size) * (<i32>load<T>(s + <usize>j * size) - sz);
          acc += sum;
        }
        const y = multiplyByQuantizedMultiplier(acc, this.outputMult, this.outputShift) + this.outputZero;
        store<i8>(dst + <usize>(b * this.units + u), <i8>min<i32>(max<i32>(y, -128), 127));
      }
    }
  }

  private evalInt8(): void {
    const state = changetype<usize>(this.state16);
    const total = this.batches * this.filters * this.memory;
    memory.copy(state, state + 2, <usize>(total - 1) << 1);
    const src = changetype<Tensor>(this.input).data;
    const wf = changetype<Tensor>(this.featureWeights).data;
    const wt = changetype<Tensor>(this.timeWeights).data;
    const dst = changetype<Tensor>(this.output).data;
    const bias = this.bias;
    const n = this.inputSize, mem = this.memory, zp = this.inputZero;
    for (let b = 0; b < this.batches; b++) {
      const row = src + <usize>(b * n);
      const bState = state + (<usize>(b * this.filters * mem) << 1);
      for (let f = 0; f < this.filters; f++) {
        const w = wf + <usize>(f * n);
        let dot: i32 = 0;
        for (let c = 0; c < n; c++) dot += <i32>load<i8>(w + <usize>c) * (<i32>load<i8>(row + <usize>c) - zp);
        dot = multiplyByQuantizedMultiplier(dot, this.featureMult, this.featureShift);
        store<i16>(bState + (<usize>(f * mem + mem - 1) << 1), <i16>min<i32>(max<i32>(dot, -32768), 32767));
      }
      for (let u = 0; u < this.units; u++) {
        let acc: i32 = bias != null ? load<i32>(bias.data + (<usize>u << 2)) : 0;
        for (let r = 0; r < this.rank; r++) {
          const f = u * this.rank + r;
          const s = bState + (<usize>(f * mem) << 1);
          const t = wt + (<usize>(f * mem) << 1);
          let sum: i32 = 0;
          for (let j = 0; j < mem; j++) sum += <i32>load<i16>(t + (<usize>j << 1)) * <i32>load<i16>(s + (<usize>j << 1));
          acc += sum;
        }
        const y = multiplyByQuantizedMultiplier(acc, this.outputMult, this.outputShift) + this.outputZero;
        store<i8>(dst + <usize>(b * this.units + u), <i8>min<i32>(max<i32>(y, -128), 127));
      }
    }
  }

  private evalFloat(): void {
    const state = changetype<usize>(this.state);
    const total = this.batches * this.filters * this.memory;
    // Shift the whole state left by one; each filter's newest slot is overwritten below.
    memory.copy(state, state + 4, <usize>(total - 1) << 2);
    const src = changetype<Tensor>(this.input).data;
    const wf = changetype<Tensor>(this.featureWeights).data;
    const wt = changetype<Tensor>(this.timeWeights).data;
    const dst = changetype<Tensor>(this.output).data;
    const bias = this.bias;
    const n = this.inputSize, mem = this.memory;
    for (let b = 0; b < this.batches; b++) {
      const row = src + (<usize>(b * n) << 2);
      const bState = state + (<usize>(b * this.filters * mem) << 2);
      for (let f = 0; f < this.filters; f++) {
        const w = wf + (<usize>(f * n) << 2);
        let dot: f32 = 0;
        for (let c = 0; c < n; c++) dot += load<f32>(w + (<usize>c << 2)) * load<f32>(row + (<usize>c << 2));
        store<f32>(bState + (<usize>(f * mem + mem - 1) << 2), dot);
      }
      for (let u = 0; u < this.units; u++) {
        let acc: f32 = bias != null ? load<f32>(bias.data + (<usize>u << 2)) : 0;
        for (let r = 0; r < this.rank; r++) {
          const f = u * this.rank + r;
          const s = bState + (<usize>(f * mem) << 2);
          const t = wt + (<usize>(f * mem) << 2);
          let sum: f32 = 0;
          for (let j = 0; j < mem; j++) sum += load<f32>(t + (<usize>j << 2)) * load<f32>(s + (<usize>j << 2));
          acc += sum;
        }
        store<f32>(dst + (<usize>(b * this.units + u) << 2), min<f32>(max<f32>(acc, this.fmin), this.fmax));
      }
    }
  }
}
