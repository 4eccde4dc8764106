// Automatic gain control per block: the block's RMS level in dBFS, the gain that would bring it
// to the target (limited to [minGain, maxGain] dB), approached with a fast attack (gain falls) and a
// slow release (gain rises); blocks below the noise gate keep the gain. Within a block the
// linear gain ramps from the previous block's to this one's (no steps), and the output is
// clipped to [-1, 1]. State: 2 floats (gain in dB, previous linear gain).

export const AGC_STATE_BYTES: i32 = 8;

export class AgcConfig {
  targetDb: f32 = -20.0;
  maxGainDb: f32 = 30.0;
  minGainDb: f32 = -20.0;
  gateDb: f32 = -65.0;
  attack: f32 = 0.5;   // fraction of the step taken per block when the gain falls
  release: f32 = 0.05; // ... when it rises
}

export function agcInit(state: usize): void {
  store<f32>(state, 0.0);
  store<f32>(state, 1.0, 4);
}

/**
 * Starts at `gainDb` instead of 0 dB. Below the noise gate the gain holds, so an AGC started at
 * 0 dB in a quiet room meets the first word far too quiet and ramps up through it (release
 * 0.05 per block: about 0.2 s to cover 60 % of the way); started high, the fast attack brings
 * it down within the word's first few blocks.
 */
export function agcInitAt(state: usize, gainDb: f32): void {
  store<f32>(state, gainDb);
  store<f32>(state, Mathf.exp(gainDb * (Mathf.log(10.0) / 20.0)), 4);
}

/** One block of n float32 samples (src may equal dst). Returns the gain applied at its end, in dB. */
export function agcProcess(state: usize, cfg: AgcConfig, src: usize, dst: usize, n: i32): f32 {
  let energy: f32 = 0;
  for (let i = 0; i < n; i++) { const x = load<f32>(src + (<usize>i << 2)); energy += x * x; }
  const level: f32 = (10.0 / Mathf.log(10.0)) * Mathf.log(energy / <f32>n + 1e-12);
  let g = load<f32>(state);
  if (level > cfg.gateDb) {
    let want = cfg.targetDb - level;
    want = want < cfg.minGainDb ? cfg.minGainDb : want > cfg.maxGainDb ? cfg.maxGainDb : want;
    g += (want < g ? cfg.attack : cfg.release) * (want - g);
  }
  store<f32>(state, g);
  const from = load<f32>(state, 4);
  const to = Mathf.exp(g * (Mathf.log(10.0) / 20.0));
  store<f32>(state, to, 4);
  agcRamp(src, dst, n, from, to);
  return g;
}

/** The linear gain applied at the end of the last block. */
export function agcLinearGain(state: usize): f32 {
  return load<f32>(state, 4);
}

/** A block's gain ramp from `from` to `to` (linear) and the clip to [-1, 1]; src may equal dst. Also for audio heard again at recorded gains (beam-past.ts). */
@inline export function agcRamp(src: usize, dst: usize, n: i32, from: f32, to: f32): void {
  const step = (to - from) / <f32>n;
  for (let i = 0; i < n; i++) {
    let y = load<f32>(src + (<usize>i << 2)) * (from + step * <f32>(i + 1));
    y = y > 1.0 ? 1.0 : y < -1.0 ? -1.0 : y;
    store<f32>(dst + (<usize>i << 2), y);
  }
}
