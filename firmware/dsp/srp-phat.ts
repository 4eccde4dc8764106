// The parts of a steered response power with phase transform (SRP-PHAT): the noise learnt on
// quiet frames, each bin's weight by how far it stands above that noise, a pair's whitened
// cross-spectrum G = w X_i conj(X_j) / |X_i X_j| (optionally averaged over frames), and the
// steered response of one pair at a lag tau, Re sum_k G_k e^(i 2 pi k tau / n). Spectra are
// rfftF32's packed layout (bin k at k * 8: re, im). The active-speaker app's direction cue
// (srp-cue.ts) uses them all; the voice app's direction of arrival (apps/voice-control/doa.ts)
// uses srpPairResponse. doa.ts keeps its own noise and whitening loops: through these functions
// its fields become locals, and the loads it no longer repeats per bin took 20,094 cycles off
// 2 s on RT1060 (cycle-snapshot), where its cycles must stay as they are.
// All @inline, so that the callers' constants fold as they did in the callers' own loops.

/** Quiet frame: the power of `spectrum`'s bins kLo..kHi-1 into `noise` (first: taken as is). */
@inline
export function srpLearnNoise(spectrum: usize, noise: usize, kLo: i32, kHi: i32, first: bool, keep: f32): void {
  for (let k = kLo; k < kHi; k++) {
    const a = spectrum + (<usize>k << 3);
    const pw = load<f32>(a) * load<f32>(a) + load<f32>(a, 4) * load<f32>(a, 4);
    const q = noise + (<usize>(k - kLo) << 2);
    store<f32>(q, first ? pw : load<f32>(q) * keep + pw * (1.0 - keep));
  }
}

/** Each bin's weight max(0, 1 - over N / P): bins the noise owns carry the noise field's
 *  coherence (a diffuse field's is near 1 at lag 0 for close microphones), not the talker's. */
@inline
export function srpNoiseWeights(spectrum: usize, noise: usize, weights: usize, kLo: i32, kHi: i32, over: f32, eps: f32): void {
  for (let k = kLo; k < kHi; k++) {
    const a = spectrum + (<usize>k << 3);
    const pw = load<f32>(a) * load<f32>(a) + load<f32>(a, 4) * load<f32>(a, 4);
    let w: f32 = 1.0 - over * load<f32>(noise + (<usize>(k - kLo) << 2)) / (pw + eps);
    store<f32>(weights + (<usize>(k - kLo) << 2), w < 0 ? 0 : w);
  }
}

/** A pair's weighted whitened cross-spectrum into g (bins kLo..kHi-1, complex f32):
 *  g = keep g + (1 - keep) w X_i conj(X_j) / |X_i conj(X_j)|; keep 0 takes this frame alone. */
@inline
export function srpWhitenedCross(xi: usize, xj: usize, weights: usize, g: usize, kLo: i32, kHi: i32, keep: f32, eps: f32): void {
  const fresh: f32 = 1.0 - keep;
  for (let k = kLo; k < kHi; k++) {
    const a = xi + (<usize>k << 3), b = xj + (<usize>k << 3);
    const ar = load<f32>(a), ai = load<f32>(a, 4), br = load<f32>(b), bi = load<f32>(b, 4);
    const cr = ar * br + ai * bi, ci = ai * br - ar * bi;
    const inv: f32 = fresh * load<f32>(weights + (<usize>(k - kLo) << 2)) / (Mathf.sqrt(cr * cr + ci * ci) + eps);
    const q = g + (<usize>(k - kLo) << 3);
    if (keep == 0) {
      store<f32>(q, cr * inv);
      store<f32>(q, ci * inv, 4);
    } else {
      store<f32>(q, load<f32>(q) * keep + cr * inv);
      store<f32>(q, load<f32>(q, 4) * keep + ci * inv, 4);
    }
  }
}

/** One pair's steered response at lag tau (samples; channel i lags channel j by tau):
 *  Re sum over the band of G_k e^(i 2 pi k tau / n), k = kLo..kLo+bins-1, by a rotating phasor. */
@inline
export function srpPairResponse(g: usize, tau: f32, n: i32, kLo: i32, bins: i32): f32 {
  const w: f32 = (2.0 * Mathf.PI * tau) / <f32>n;
  const cr = Mathf.cos(w), ci = Mathf.sin(w);
  let er = Mathf.cos(w * <f32>kLo), ei = Mathf.sin(w * <f32>kLo);
  let acc: f32 = 0;
  for (let k = 0; k < bins; k++) {
    const q = g + (<usize>k << 3);
    acc += load<f32>(q) * er - load<f32>(q, 4) * ei;
    const t = er * cr - ei * ci;
    ei = er * ci + ei * cr;
    er = t;
  }
  return acc;
}

/** The two halves of srpPairResponse at lag tau, so that one pass gives the response at tau and
 *  at -tau: with A = sum Re(G_k) cos(k w) and B = sum Im(G_k) sin(k w), w = 2 pi tau / n, the
 *  response is A - B at tau and A + B at -tau. A into out, B into out + 4. */
@inline
export function srpPairParts(g: usize, tau: f32, n: i32, kLo: i32, bins: i32, out: usize): void {
  const w: f32 = (2.0 * Mathf.PI * tau) / <f32>n;
  const cr = Mathf.cos(w), ci = Mathf.sin(w);
  let er = Mathf.cos(w * <f32>kLo), ei = Mathf.sin(w * <f32>kLo);
  let a: f32 = 0, b: f32 = 0;
  for (let k = 0; k < bins; k++) {
    const q = g + (<usize>k << 3);
    a += load<f32>(q) * er;
    b += load<f32>(q, 4) * ei;
    const t = er * cr - ei * ci;
    ei = er * ci + ei * cr;
    er = t;
  }
  store<f32>(out, a);
  store<f32>(out, b, 4);
}
