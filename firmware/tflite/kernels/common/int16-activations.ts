// TFLite's int16 logistic and tanh (tensorflow/lite/kernels/internal/reference/integer_ops/
// logistic.h and tanh.h, the int16 forms TFLM's integer LSTM applies to its gates and cell
// state): the input, times 3 (a 3/4 input scale stretches the table's [-8, 8] over about
// [-10.7, 10.7]), indexes a 256-entry table of sigmoid(i/24) in 0.16 fixed point and is
// interpolated linearly between entries on its low bits; tanh reads the same table as
// 2·sigmoid(2x) - 1. Both are odd-symmetric around the table, so only |x| is looked up.
//
// The table's values are the ones TFLite ships as sigmoid_table_uint16 (also CMSIS-NN's
// arm_nntables.c): they are not round(65536·sigmoid(i/24)) everywhere (44 entries sit one
// above it), so they are data here, not computed; test/kernels/ops-lstm.test.ts checks them
// against sigmoid and a checksum.
export const SIGMOID_TABLE_U16: StaticArray<u16> = [
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
  43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
  51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
  57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
  61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
  63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
  64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
  64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
  65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
  65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
  65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
  65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
  65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
  65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
  65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
  65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
];

/** TFLite's int16 logistic for an input in Q3.12 after the input multiplier: `x` times
 *  `mult`, plus `round`, shifted right by `shift`; output Q0.15. */
// @ts-ignore: decorator
@inline
export function sigmoidQ15(x: i32, mult: i32, round: i32, shift: i32): i32 {
  const v = (x * mult + round) >> shift;
  const a = <u32>(v < 0 ? -v : v);
  const hi = a >> 9;
  let r: u32;
  if (hi >= 255) r = <u32>0x7fff << 10;
  else {
    const lo = <u32>unchecked(SIGMOID_TABLE_U16[hi]), up = <u32>unchecked(SIGMOID_TABLE_U16[hi + 1]);
    r = (lo << 9) + (a & 0x1ff) * (up - lo);
  }
  r = v >= 0 ? r + 512 : (<u32>1 << 25) - r + 511;
  return <i32>(<i16>(r >> 10));
}

/** TFLite's int16 tanh, input scaled as for sigmoidQ15; output Q0.15. */
// @ts-ignore: decorator
@inline
export function tanhQ15(x: i32, mult: i32, round: i32, shift: i32): i32 {
  const v = (x * mult + round) >> shift;
  const a = <u32>(v < 0 ? -v : v);
  const hi = a >> 8;
  let r: i32;
  if (hi >= 255) r = 0xffff << 8;
  else {
    const lo = <u32>unchecked(SIGMOID_TABLE_U16[hi]), up = <u32>unchecked(SIGMOID_TABLE_U16[hi + 1]);
    r = <i32>((lo << 8) + (a & 0xff) * (up - lo));
  }
  r = v >= 0 ? r - (1 << 23) + 128 : (1 << 23) + 127 - r;
  return <i32>(<i16>(r >> 8));
}
