// Reverberation time of an impulse response by Schroeder's backward integration
// ("New method of measuring reverberation time", JASA 37, 1965) and a straight-line fit of
// the energy decay curve, as ISO 3382 does: T20 fits −5 to −25 dB, T30 −5 to −35 dB, and
// both extrapolate to 60 dB of decay.

/** Energy decay curve in dB (0 dB at the start), from sample 0. */
export function energyDecayDb(ir: Float64Array): Float64Array {
  const edc = new Float64Array(ir.length);
  let acc = 0;
  for (let i = ir.length - 1; i >= 0; i--) {
    acc += ir[i] * ir[i];
    edc[i] = acc;
  }
  const total = edc[0] || 1;
  for (let i = 0; i < edc.length; i++) edc[i] = 10 * Math.log10(edc[i] / total + 1e-300);
  return edc;
}

/**
 * RT60 in seconds from the least-squares slope of the decay curve between `fromDb` and
 * `toDb` (negative numbers; default −5 and −25, i.e. T20). NaN if the curve never gets there.
 */
export function measureRt60(ir: Float64Array, sampleRate: number, fromDb = -5, toDb = -25): number {
  const edc = energyDecayDb(ir);
  let n = 0,
    st = 0,
    sy = 0,
    stt = 0,
    sty = 0;
  let reached = false;
  for (let i = 0; i < edc.length; i++) {
    const y = edc[i];
    if (y > fromDb) continue;
    if (y < toDb) {
      reached = true;
      break;
    }
    const t = i / sampleRate;
    n++;
    st += t;
    sy += y;
    stt += t * t;
    sty += t * y;
  }
  if (!reached || n < 2) return NaN;
  const slope = (n * sty - st * sy) / (n * stt - st * st); // dB per second
  return -60 / slope;
}
