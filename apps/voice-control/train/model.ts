// The LED-command model: a temporal CNN over the 49 x 10 MFCC window, the KWS features read
// as an image 49 high, 1 wide, with the 10 coefficients as channels (the layout is the same
// bytes as kws_ref_model's [1, 49, 10, 1] input, so the firmware's feature buffer feeds it
// as is). Built on the fan monitor's FanNet (im2col convolutions in tfjs-core, seeded).
//
//   input  [49,1,10]
//   conv 32 x (5x1) stride 2, ReLU -> [25,1,32]    40,000 MACs
//   conv 48 x (3x1) stride 2, ReLU -> [13,1,48]    59,904 MACs
//   conv 48 x (3x1) stride 2, ReLU -> [7,1,48]     48,384 MACs
//   flatten                        -> [336]        (where in the second a word sits matters
//   dense 64, ReLU                                  21,504 MACs   less than its shape; the
//   dense 7 (logits), softmax                          448 MACs   dense layer learns both)
import { type NetShape } from "../../fan-monitor/train/model.ts";
import { CLASSES, COEFS, FRAMES } from "./dataset.ts";

export const LED_SHAPE: NetShape = {
  window: FRAMES,
  channels: COEFS,
  architecture: [
    { kind: "conv", filters: 32, kernel: 5, stride: 2 },
    { kind: "conv", filters: 48, kernel: 3, stride: 2 },
    { kind: "conv", filters: 48, kernel: 3, stride: 2 },
    { kind: "flatten" },
    { kind: "dense", units: 64, relu: true },
    { kind: "dense", units: CLASSES.length, relu: false },
  ],
};
