// The mean of the weights over the last epochs' steps (Polyak averaging; Izmailov et al.'s
// stochastic weight averaging takes the same mean at a few points per epoch). One run's last step
// lands wherever its last batches pushed it; the mean over a few hundred steps sits nearer the
// middle of the basin those steps wander around, which should make the model depend less on the
// seed. The net has no batch normalisation, so the averaged weights are a model as they stand:
// quantisation and the .tflite export take them like any other (no statistics to recompute).
import * as tf from "@tensorflow/tfjs-core";

export class WeightAverage {
  private readonly sums: tf.Variable[];
  private taken = 0;

  /** Averages `variables` over every step from `fromStep` (0-based, counted by `step`) on. */
  constructor(
    private readonly variables: tf.Variable[],
    readonly fromStep: number,
  ) {
    this.sums = variables.map((v) => tf.variable(tf.zerosLike(v), false));
  }

  /** Call after each optimiser step with its index; adds the weights when the window has begun. */
  step(index: number): void {
    if (index < this.fromStep) return;
    // A running sum in f32 (at most a few hundred steps of weights of order 1: far inside f32's
    // precision for the int8 export), divided once at the end.
    tf.tidy(() => this.sums.forEach((s, i) => s.assign(tf.add(s, this.variables[i]))));
    this.taken++;
  }

  get steps(): number {
    return this.taken;
  }

  /** The mean weights, one tensor per variable in the order given (the caller disposes them). */
  mean(): tf.Tensor[] {
    if (this.taken === 0) throw new Error("weight average: no step inside the window");
    return this.sums.map((s) => tf.div(s, this.taken));
  }

  dispose(): void {
    tf.dispose(this.sums);
  }
}

/** Sets `variables` to `values` and returns their former values (to put back). */
export function swapWeights(variables: tf.Variable[], values: tf.Tensor[]): tf.Tensor[] {
  return variables.map((v, i) => {
    const before = tf.clone(v);
    v.assign(values[i]);
    return before;
  });
}
