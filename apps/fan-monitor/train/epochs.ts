// The training loop every app's trainer shares: Adam, its learning rate cut for the last third
// of the epochs (to settle), a seeded shuffle per epoch, then mini-batches. What a batch does is
// the app's (`step`: its loss, minimised with the optimiser it is given). Deterministic for a
// given `rnd`; the apps also draw from the same `rnd` inside `step` and after training.
import * as tf from "@tensorflow/tfjs-core";

export interface EpochPlan {
  /** Training samples; batches are index lists into 0..count-1. */
  count: number;
  epochs: number;
  batch: number;
  learningRate: number;
  /** The last third of the epochs runs at learningRate / lateDivisor. */
  lateDivisor: number;
  rnd: () => number;
  log: (line: string) => void;
  /** Extra text for each epoch's log line. */
  note?: () => string;
}

/** Runs the epochs; `step` returns the batch's loss after minimising it (called inside tf.tidy). */
export function trainEpochs(
  plan: EpochPlan,
  step: (optimizer: tf.Optimizer, idx: tf.Tensor1D) => tf.Scalar,
): void {
  let optimizer = tf.train.adam(plan.learningRate);
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    if (epoch === Math.ceil((plan.epochs * 2) / 3))
      optimizer = tf.train.adam(plan.learningRate / plan.lateDivisor);
    const order = Array.from({ length: plan.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(plan.rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    for (let at = 0; at < order.length; at += plan.batch) {
      const cost = tf.tidy(() =>
        step(optimizer, tf.tensor1d(order.slice(at, at + plan.batch), "int32")),
      );
      total += cost.dataSync()[0] * Math.min(plan.batch, order.length - at);
      cost.dispose();
    }
    const note = plan.note ? ` ${plan.note()}` : "";
    plan.log(`epoch ${epoch + 1}/${plan.epochs}: loss ${(total / order.length).toFixed(4)}${note}`);
  }
}

/** A classifier trained on softmax cross-entropy: the whole loop of the three FanNet trainers
 *  (fan monitor, the LED command set, the wake-word verifier). `x` holds every sample and `y`
 *  their one-hot labels; `forward` is the model's logits and `variables` what Adam moves. */
export function trainSoftmaxClassifier(
  net: { forward(x: tf.Tensor3D): tf.Tensor; readonly variables: tf.Variable[] },
  x: tf.Tensor3D,
  y: tf.Tensor,
  plan: EpochPlan,
): void {
  trainEpochs(plan, (optimizer, idx) => {
    const xs = tf.gather(x, idx) as tf.Tensor3D;
    const ys = tf.gather(y, idx);
    return optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, net.forward(xs)) as tf.Scalar,
      true,
      net.variables,
    )!;
  });
}
