// UNIDIRECTIONAL_SEQUENCE_LSTM, int8, with TFLM's integer LSTM arithmetic (tflite-micro's
// unidirectional_sequence_lstm.cc and lstm_eval.h/.cc, the kernel it has had since 2023):
// int8 input, hidden state and output, int8 weights, int32 biases, an int16 cell state.
//
// Each gate (input, forget, cell, output) is two fully connected layers requantised to int16
// at 2^-12 (Q3.12): the input against its input weights plus the gate's bias, the previous
// hidden state against its recurrent weights; each is clamped to int16, their sum clamped
// again, then TFLite's int16 sigmoid (tanh for the cell gate) gives Q0.15. The cell state
// becomes forget·cell + input·cell-gate (two int16 multiplies requantised to the cell scale,
// an int16 saturating add, cell_clip if set); the hidden state is tanh(cell)·output-gate
// requantised to the hidden tensor's scale and zero point, and is copied to the output.
// The multipliers are TFLM's: the fully connected ones from the float product of the input
// and weight scales over 2^-12, the inter-gate ones from double products of 2^-15 (the gates'
// output scale) and the cell or hidden scale; the cell's tanh uses round(log2(cell scale)).
//
// Every step is elementwise in the state dimension once the two matrix products are done, so
// the kernel runs one state element at a time, all four gates at once (one pass over the
// input and one over the old hidden state, both widened into scratch less their zero points
// first, as TFLM adds the offsets inside its dot products), and writes the new hidden state
// in place: the results equal TFLM's, which runs gate by gate. Biases and weights are read in
// place; the kernel keeps no per-unit data of its own but the two states.
//
// State: the hidden and cell states live here, not in the arena (whose activation memory the
// planner shares between layers), as TFLM keeps variable tensors in its arena's persistent
// part: reset at start-up (the hidden state to its zero point, the cell state to 0) and
// carried from one invocation to the next.
import { Tensor } from "../tensor";
import { TYPE_INT16, TYPE_INT32, TYPE_INT8, typeName } from "../schema";
import { multiplyByQuantizedMultiplier, quantizeMultiplier, quantizedMultiplierResult, quantizedShiftResult } from "../quant";
import { ExtensionOp } from "./extension";
import { hsum } from "./common/gemm";
import { sigmoidQ15, tanhQ15 } from "./common/int16-activations";

// Input indices of TFLM's 24-tensor LSTM (lstm_shared.h). The gates' weights and biases come
// in the order input, forget, cell, output: gate g's input weights are 1 + g, its recurrent
// weights 5 + g, its bias 12 + g.
const IN_INPUT_WEIGHTS = 1;
const IN_RECURRENT_WEIGHTS = 5;
const IN_BIAS = 12;
const IN_HIDDEN = 18;
const IN_CELL = 19;
const GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3;
const ACT_TANH: u32 = 4;

/** The scale of the gates' matrix products (Q3.12) and of the gates' outputs (Q0.15), as
 *  TFLM's PrepareGateParametersInteger sets them. */
const GATE_IN_SCALE: f32 = 0.000244140625;
const GATE_OUT_SCALE: f32 = 0.000030517578125;

export class UnidirectionalSequenceLstm extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private batches: i32 = 0;
  private steps: i32 = 0;
  private inputSize: i32 = 0;
  private units: i32 = 0;
  private timeMajor: bool = false;
  /** Weight row addresses per gate (input, then recurrent). */
  private inputWeights: StaticArray<usize> = new StaticArray<usize>(4);
  private recurrentWeights: StaticArray<usize> = new StaticArray<usize>(4);
  /** Bias addresses per gate (int32, read in place). */
  private biases: StaticArray<usize> = new StaticArray<usize>(4);
  private inputZero: i32 = 0;
  private inputMult: StaticArray<i32> = new StaticArray<i32>(4);
  private inputShift: StaticArray<i32> = new StaticArray<i32>(4);
  private recurrentMult: StaticArray<i32> = new StaticArray<i32>(4);
  private recurrentShift: StaticArray<i32> = new StaticArray<i32>(4);
  private forgetMult: i32 = 0;
  private forgetShift: i32 = 0;
  private updateMult: i32 = 0;
  private updateShift: i32 = 0;
  private hiddenMult: i32 = 0;
  private hiddenShift: i32 = 0;
  private hiddenZero: i32 = 0;
  private cellClip: i32 = 0;
  /** tanh of the cell state: input multiplier, rounding and right shift (TFLM's Tanh). */
  private tanhMult: i32 = 0;
  private tanhRound: i32 = 0;
  private tanhShift: i32 = 0;
  private hidden: StaticArray<i8> = new StaticArray<i8>(0);
  private cell: StaticArray<i16> = new StaticArray<i16>(0);

  prepare(): string {
    const o = this.op;
    if (o.inputCount != 24 || o.outputCount != 1) return "needs TFLM's 24 inputs and one output";
    if (!o.hasInput(0)) return "missing input";
    const input = o.input(0), output = o.output(0);
    if (input.type != TYPE_INT8) return "only int8 is supported (the input is " + typeName(input.type) + ")";
    for (let k = 9; k < 12; k++) if (o.hasInput(k)) return "peephole connections are not supported (as TFLM)";
    for (let k = 16; k < 18; k++) if (o.hasInput(k)) return "projection is not supported (as TFLM)";
    for (let k = 20; k < 24; k++) if (o.hasInput(k)) return "layer normalisation is not supported (as TFLM)";
    for (let g = 0; g < 4; g++) {
      if (!o.hasInput(IN_INPUT_WEIGHTS + g) || !o.hasInput(IN_RECURRENT_WEIGHTS + g)) return "needs all eight gate weights (no CIFG, as TFLM)";
      if (!o.hasInput(IN_BIAS + g)) return "needs all four gate biases";
    }
    if (!o.hasInput(IN_HIDDEN) || !o.hasInput(IN_CELL)) return "needs the hidden (output) state and cell state tensors";
    const hidden = o.input(IN_HIDDEN), cell = o.input(IN_CELL);
    if (hidden.isConstant || cell.isConstant) return "the hidden and cell states must be variable tensors, not constants";
    if (hidden.type != TYPE_INT8 || output.type != TYPE_INT8) return "int8 needs an int8 hidden state and output";
    if (cell.type != TYPE_INT16) return "int8 needs an int16 cell state (TFLM's only integer cell type)";
    if (input.rank != 3 || output.rank != 3) return "input and output must be 3-D";
    const timeMajor = o.optBool(3, false);
    const batches = timeMajor ? input.dim(1) : input.dim(0), steps = timeMajor ? input.dim(0) : input.dim(1);
    const inputSize = input.dim(2);
    const w0 = o.input(IN_INPUT_WEIGHTS);
    if (w0.rank != 2) return "weights must be 2-D";
    const units = w0.dim(0);
    for (let g = 0; g < 4; g++) {
      const wx = o.input(IN_INPUT_WEIGHTS + g), wh = o.input(IN_RECURRENT_WEIGHTS + g), bias = o.input(IN_BIAS + g);
      if (wx.type != TYPE_INT8 || wh.type != TYPE_INT8) return "int8 needs int8 weights";
      if (!wx.isConstant || !wh.isConstant || !bias.isConstant) return "weights and biases must be constant";
      if (wx.rank != 2 || wx.dim(0) != units || wx.dim(1) != inputSize) return "input weights must be [" + units.toString() + "," + inputSize.toString() + "]";
      if (wh.rank != 2 || wh.dim(0) != units || wh.dim(1) != units) return "recurrent weights must be [" + units.toString() + "," + units.toString() + "]";
      if (wx.zeroPoint != 0 || wh.zeroPoint != 0) return "int8 weights must have zero point 0";
      if (wx.isPerChannel() || wh.isPerChannel()) return "weights must be quantised per tensor (TFLM's LSTM reads one scale)";
      if (bias.type != TYPE_INT32 || bias.rank != 1 || bias.dim(0) != units) return "biases must be int32 [" + units.toString() + "]";
      if (!(wx.scale > 0) || !(wh.scale > 0)) return "int8 tensors need positive scales";
    }
    if (hidden.elements != batches * units || cell.elements != batches * units) return "hidden and cell states must hold batch x units (" + (batches * units).toString() + ") elements";
    if (output.dim(0) != input.dim(0) || output.dim(1) != input.dim(1) || output.dim(2) != units) return "output must be [" + input.dim(0).toString() + "," + input.dim(1).toString() + "," + units.toString() + "]";
    if (!(input.scale > 0) || !(hidden.scale > 0) || !(cell.scale > 0)) return "int8 tensors need positive scales";
    if (<u32>o.optU8(0, 0) != ACT_TANH) return "the cell gate's activation must be TANH (TFLM applies only tanh or sigmoid there)";
    this.input = input;
    this.output = output;
    this.batches = batches;
    this.steps = steps;
    this.inputSize = inputSize;
    this.units = units;
    this.timeMajor = timeMajor;
    this.inputZero = input.zeroPoint;
    for (let g = 0; g < 4; g++) {
      const wx = o.input(IN_INPUT_WEIGHTS + g), wh = o.input(IN_RECURRENT_WEIGHTS + g), bias = o.input(IN_BIAS + g);
      this.inputWeights[g] = wx.data;
      this.recurrentWeights[g] = wh.data;
      // TFLM's CalculateOpDataFullyConnected: the scales' product in float, widened, over 2^-12
      quantizeMultiplier(<f64>(input.scale * wx.scale) / <f64>GATE_IN_SCALE);
      this.inputMult[g] = quantizedMultiplierResult;
      this.inputShift[g] = quantizedShiftResult;
      quantizeMultiplier(<f64>(hidden.scale * wh.scale) / <f64>GATE_IN_SCALE);
      this.recurrentMult[g] = quantizedMultiplierResult;
      this.recurrentShift[g] = quantizedShiftResult;
      this.biases[g] = bias.data;
    }
    // CreateInterGateMulParams: double products of the input scales over the output scale
    const gate = <f64>GATE_OUT_SCALE;
    quantizeMultiplier(gate * <f64>cell.scale / <f64>cell.scale);
    this.forgetMult = quantizedMultiplierResult;
    this.forgetShift = quantizedShiftResult;
    quantizeMultiplier(gate * gate / <f64>cell.scale);
    this.updateMult = quantizedMultiplierResult;
    this.updateShift = quantizedShiftResult;
    quantizeMultiplier(gate * gate / <f64>hidden.scale);
    this.hiddenMult = quantizedMultiplierResult;
    this.hiddenShift = quantizedShiftResult;
    this.hiddenZero = hidden.zeroPoint;
    const clip = o.optF32(1, 0);
    this.cellClip = clip > 0 ? <i32>(<i16>Math.min(Math.max(<f64>clip / <f64>cell.scale, -32768.0), 32767.0)) : 0;
    // TFLM's Tanh(cell_state_scale_power): input left shift 15 + power - 3, times 3
    const leftShift = 12 + <i32>Math.round(Math.log2(<f64>cell.scale));
    if (leftShift >= 0) { this.tanhMult = 3 << leftShift; this.tanhShift = 0; this.tanhRound = 0; }
    else { this.tanhMult = 3; this.tanhShift = -leftShift; this.tanhRound = 1 << (-leftShift - 1); }
    // TFLM resets variable tensors at start-up: int8 to the zero point, others to 0
    const hiddenState = new StaticArray<i8>(batches * units);
    for (let i = 0; i < hiddenState.length; i++) unchecked(hiddenState[i] = <i8>hidden.zeroPoint);
    this.hidden = hiddenState;
    this.cell = new StaticArray<i16>(batches * units);
    return "";
  }

  /** The input row and the old hidden state less their zero points, as int16 in groups of 8. */
  scratchBytes(): i32 {
    return (((this.inputSize + 7) >> 3) + ((this.units + 7) >> 3)) << 4;
  }

  eval(scratch: usize): void {
    const B = this.batches, T = this.steps;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) this.step(this.timeMajor ? t * B + b : b * T + t, b, scratch);
    }
  }

  /** One time step of one batch row: input row `row`, state row `b`. */
  private step(row: i32, b: i32, scratch: usize): void {
    const I = this.inputSize, S = this.units;
    const xGroups = (I + 7) >> 3, hGroups = (S + 7) >> 3;
    const x = scratch, h = scratch + (<usize>xGroups << 4);
    const hidden = changetype<usize>(this.hidden) + <usize>(b * S);
    const cell = changetype<usize>(this.cell) + (<usize>(b * S) << 1);
    widenCentered(changetype<Tensor>(this.input).data + <usize>(row * I), I, this.inputZero, x);
    widenCentered(hidden, S, this.hiddenZero, h);
    const wxI = unchecked(this.inputWeights[GATE_INPUT]), wxF = unchecked(this.inputWeights[GATE_FORGET]);
    const wxC = unchecked(this.inputWeights[GATE_CELL]), wxO = unchecked(this.inputWeights[GATE_OUTPUT]);
    const whI = unchecked(this.recurrentWeights[GATE_INPUT]), whF = unchecked(this.recurrentWeights[GATE_FORGET]);
    const whC = unchecked(this.recurrentWeights[GATE_CELL]), whO = unchecked(this.recurrentWeights[GATE_OUTPUT]);
    for (let u = 0; u < S; u++) {
      // Four weight rows against the same input, then the same hidden state.
      let aI = i32x4.splat(0), aF = i32x4.splat(0), aC = i32x4.splat(0), aO = i32x4.splat(0);
      let r = <usize>(u * I);
      for (let g = 0; g < xGroups; g++) {
        const v = v128.load(x + (<usize>g << 4));
        const off = r + (<usize>g << 3);
        aI = i32x4.add(aI, i32x4.dot_i16x8_s(v, v128.load8x8_s(wxI + off)));
        aF = i32x4.add(aF, i32x4.dot_i16x8_s(v, v128.load8x8_s(wxF + off)));
        aC = i32x4.add(aC, i32x4.dot_i16x8_s(v, v128.load8x8_s(wxC + off)));
        aO = i32x4.add(aO, i32x4.dot_i16x8_s(v, v128.load8x8_s(wxO + off)));
      }
      let bI = i32x4.splat(0), bF = i32x4.splat(0), bC = i32x4.splat(0), bO = i32x4.splat(0);
      r = <usize>(u * S);
      for (let g = 0; g < hGroups; g++) {
        const v = v128.load(h + (<usize>g << 4));
        const off = r + (<usize>g << 3);
        bI = i32x4.add(bI, i32x4.dot_i16x8_s(v, v128.load8x8_s(whI + off)));
        bF = i32x4.add(bF, i32x4.dot_i16x8_s(v, v128.load8x8_s(whF + off)));
        bC = i32x4.add(bC, i32x4.dot_i16x8_s(v, v128.load8x8_s(whC + off)));
        bO = i32x4.add(bO, i32x4.dot_i16x8_s(v, v128.load8x8_s(whO + off)));
      }
      const gi = sigmoidQ15(this.gateInput(GATE_INPUT, u, hsum(aI), hsum(bI)), 3, 0, 0);
      const gf = sigmoidQ15(this.gateInput(GATE_FORGET, u, hsum(aF), hsum(bF)), 3, 0, 0);
      const gc = tanhQ15(this.gateInput(GATE_CELL, u, hsum(aC), hsum(bC)), 3, 0, 0);
      const go = sigmoidQ15(this.gateInput(GATE_OUTPUT, u, hsum(aO), hsum(bO)), 3, 0, 0);
      // cell = forget·cell + input·cell gate, each requantised to the cell scale
      const at = cell + (<usize>u << 1);
      const kept = clamp16(multiplyByQuantizedMultiplier(gf * <i32>load<i16>(at), this.forgetMult, this.forgetShift));
      const added = clamp16(multiplyByQuantizedMultiplier(gi * gc, this.updateMult, this.updateShift));
      let c = clamp16(kept + added);
      const clip = this.cellClip;
      if (clip > 0) c = max(min(clip, c), -clip);
      store<i16>(at, <i16>c);
      // hidden = tanh(cell)·output gate, requantised to the hidden state's scale and zero point
      const th = tanhQ15(c, this.tanhMult, this.tanhRound, this.tanhShift);
      const y = multiplyByQuantizedMultiplier(th * go, this.hiddenMult, this.hiddenShift) + this.hiddenZero;
      store<i8>(hidden + <usize>u, <i8>min(max(y, -128), 127));
    }
    memory.copy(changetype<Tensor>(this.output).data + <usize>(row * S), hidden, <usize>S);
  }

  /** A gate's pre-activation in Q3.12: both matrix products requantised and clamped to int16
   *  (TFLM's FullyConnected into int16), then added with saturation (AddElementWise). */
  // @ts-ignore: decorator
  @inline
  private gateInput(g: i32, u: i32, inputDot: i32, recurrentDot: i32): i32 {
    const bias = load<i32>(unchecked(this.biases[g]) + (<usize>u << 2));
    const a = clamp16(multiplyByQuantizedMultiplier(inputDot + bias, unchecked(this.inputMult[g]), unchecked(this.inputShift[g])));
    const b = clamp16(multiplyByQuantizedMultiplier(recurrentDot, unchecked(this.recurrentMult[g]), unchecked(this.recurrentShift[g])));
    return clamp16(a + b);
  }
}

// @ts-ignore: decorator
@inline
function clamp16(v: i32): i32 {
  return min(max(v, -32768), 32767);
}

/** `k` int8 values less `zero` as int16 (|q - zero| <= 255 fits) in groups of 8, the last
 *  group's lanes past `k` zeroed: products with the weights' over-read bytes vanish. */
function widenCentered(src: usize, k: i32, zero: i32, dst: usize): void {
  const z = i16x8.splat(<i16>zero);
  let g = 0;
  for (; g + 8 <= k; g += 8) {
    v128.store(dst, i16x8.sub(v128.load8x8_s(src + <usize>g), z));
    dst += 16;
  }
  if (g < k) {
    const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(k - g)));
    v128.store(dst, v128.and(i16x8.sub(v128.load8x8_s(src + <usize>g), z), keep));
  }
}
