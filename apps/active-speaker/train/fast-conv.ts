// Convolutions with "same" padding whose weight gradients are computed here in plain loops.
// Why: tfjs-backend-cpu's Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter kernels
// index every element through a buffer object and took 4.9 s of a 5.5 s training step at batch
// 64 (measured with tf.profile on this machine); these loops take milliseconds. The forward
// pass and the input gradient still use tfjs's kernels, so the maths (and the .tflite) is the
// same CONV_2D / DEPTHWISE_CONV_2D; the loops run in a fixed order, so training stays
// reproducible byte for byte.
import * as tf from "@tensorflow/tfjs-core";

/** TensorFlow's "same" padding before the first element of a dimension. */
function padBefore(size: number, kernel: number, stride: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

interface Geometry {
  b: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sy: number;
  sx: number;
  py: number;
  px: number;
}

function geometry(x: tf.Tensor4D, kh: number, kw: number, stride: [number, number]): Geometry {
  const [b, h, w, c] = x.shape;
  const [sy, sx] = stride;
  return {
    b,
    h,
    w,
    c,
    oh: Math.ceil(h / sy),
    ow: Math.ceil(w / sx),
    kh,
    kw,
    sy,
    sx,
    py: padBefore(h, kh, sy),
    px: padBefore(w, kw, sx),
  };
}

/** dW[ky, kx, ci, co] = sum over b, oy, ox of x[b, iy, ix, ci] * dy[b, oy, ox, co]. */
function convFilterGrad(x: Float32Array, dy: Float32Array, g: Geometry, cout: number) {
  const acc = new Float64Array(g.kh * g.kw * g.c * cout);
  for (let b = 0; b < g.b; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) {
        const dyAt = ((b * g.oh + oy) * g.ow + ox) * cout;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sy + ky - g.py;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sx + kx - g.px;
            if (ix < 0 || ix >= g.w) continue;
            const xAt = ((b * g.h + iy) * g.w + ix) * g.c;
            const wAt = (ky * g.kw + kx) * g.c * cout;
            for (let ci = 0; ci < g.c; ci++) {
              const xv = x[xAt + ci];
              if (xv === 0) continue; // ReLU outputs are often zero
              const row = wAt + ci * cout;
              for (let co = 0; co < cout; co++) acc[row + co] += xv * dy[dyAt + co];
            }
          }
        }
      }
  return Float32Array.from(acc);
}

/** Depthwise (multiplier 1): dW[ky, kx, c] and dX[b, iy, ix, c]. */
function depthwiseGrads(x: Float32Array, w: Float32Array, dy: Float32Array, g: Geometry) {
  const dw = new Float64Array(g.kh * g.kw * g.c);
  const dx = new Float32Array(x.length);
  for (let b = 0; b < g.b; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) {
        const dyAt = ((b * g.oh + oy) * g.ow + ox) * g.c;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sy + ky - g.py;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sx + kx - g.px;
            if (ix < 0 || ix >= g.w) continue;
            const xAt = ((b * g.h + iy) * g.w + ix) * g.c;
            const wAt = (ky * g.kw + kx) * g.c;
            for (let c = 0; c < g.c; c++) {
              const d = dy[dyAt + c];
              dw[wAt + c] += x[xAt + c] * d;
              dx[xAt + c] += w[wAt + c] * d;
            }
          }
        }
      }
  return { dw: Float32Array.from(dw), dx };
}

/** conv2d(x, w [kh, kw, in, out], stride, "same") with a fast weight gradient. */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, stride: [number, number]): tf.Tensor4D {
  const f = tf.customGrad((xi, wi, saveArg) => {
    const save = saveArg as tf.GradSaveFunc;
    const xt = xi as tf.Tensor4D,
      wt = wi as tf.Tensor4D;
    save([xt, wt]);
    return {
      value: tf.conv2d(xt, wt, stride, "same"),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [kh, kw, , cout] = ws.shape;
        const g = geometry(xs, kh, kw, stride);
        const dW = convFilterGrad(
          xs.dataSync() as Float32Array,
          (dy as tf.Tensor).dataSync() as Float32Array,
          g,
          cout,
        );
        const dX = tf.conv2dTranspose(dy as tf.Tensor4D, ws, xs.shape, stride, "same");
        return [dX, tf.tensor4d(dW, ws.shape)];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/** depthwiseConv2d(x, w [kh, kw, c, 1], stride, "same") with fast gradients. */
export function depthwiseSame(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: [number, number],
): tf.Tensor4D {
  const f = tf.customGrad((xi, wi, saveArg) => {
    const save = saveArg as tf.GradSaveFunc;
    const xt = xi as tf.Tensor4D,
      wt = wi as tf.Tensor4D;
    save([xt, wt]);
    return {
      value: tf.depthwiseConv2d(xt, wt, stride, "same"),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = geometry(xs, ws.shape[0], ws.shape[1], stride);
        const { dw, dx } = depthwiseGrads(
          xs.dataSync() as Float32Array,
          ws.dataSync() as Float32Array,
          (dy as tf.Tensor).dataSync() as Float32Array,
          g,
        );
        return [tf.tensor4d(dx, xs.shape), tf.tensor4d(dw, ws.shape)];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}
