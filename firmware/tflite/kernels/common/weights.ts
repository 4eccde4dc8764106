// A weighted layer's filter and bias (FULLY_CONNECTED, the convolutions): their checks at
// prepare and the bias read per output channel.
import { Tensor } from "../../tensor";
import { TYPE_FLOAT32, TYPE_INT32 } from "../../schema";

/** Bias element c as int32, 0 when absent. */
export function biasI32(bias: Tensor | null, c: i32): i32 {
  return bias === null ? 0 : load<i32>(bias.data + (<usize>c << 2));
}

export function biasF32(bias: Tensor | null, c: i32): f32 {
  return bias === null ? 0 : load<f32>(bias.data + (<usize>c << 2));
}

/** Checks the optional bias: int32 (int8 models) or float32 with `n` elements. */
export function checkBias(bias: Tensor | null, float: bool, n: i32): string {
  if (bias === null) return "";
  if (bias.type != (float ? TYPE_FLOAT32 : TYPE_INT32)) return float ? "bias must be float32" : "bias must be int32";
  if (bias.elements != n) return "bias has " + bias.elements.toString() + " elements, expected " + n.toString();
  return "";
}

/** Checks per-channel / per-tensor filter quantisation against n output channels on `dim`. */
export function checkFilterQuant(filter: Tensor, n: i32, dim: i32): string {
  if (filter.zeroPoint != 0) return "int8 filter zero point must be 0";
  if (n > 65535) return "more than 65,535 output channels"; // ChannelQuant counts them in 16 bits
  if (filter.isPerChannel() && (filter.channels != n || filter.quantizedDimension != dim)) return "filter per-channel scales do not match the output channels";
  return "";
}
