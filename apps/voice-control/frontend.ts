// The audio front end, one 10 ms block at a time: microphone buffers to float32 planar
// (PDM-receiver PCM, or on RT1060 the SAI bit streams decimated by firmware/dsp/pdm.ts),
// beam steered to the direction of arrival (doa.ts) once two estimates in a row agree on it
// (firmware/dsp/steer-hold.ts; until then, and while a new direction is unconfirmed, the
// superdirective beam is microphone 0 alone), optional noise suppression, AGC, and the result
// appended to a 16-bit history the models read from.
// app.json's options: BEAM picks the beam: 2 superdirective (firmware/dsp/superdirective.ts, the
// default), 3 MVDR with the noise coherence learnt between words (firmware/dsp/mvdr.ts),
// 1 delay-and-sum (firmware/dsp/beamformer.ts), 0 microphone 0 alone (the delay-and-sum filter
// on one channel: the same filter, no other microphone); MIC_CALIBRATION (default true)
// corrects each microphone's gain inside the superdirective and MVDR beams
// (firmware/dsp/mic-calibration.ts); NOISE_SUPPRESSOR true switches the suppressor on;
// STEER_CONFIRM / STEER_AGREE_DEG the hold (STEER_CONFIRM 0: every estimate re-steers, as before);
// REBEAM_MS (0: off) the past the superdirective beam hears again once the hold takes a
// direction (rebeam.ts; main.ts does the work between buffers). With a DTLN model in flash
// (dtln.ts, partition "dtln") that learnt suppressor takes the Wiener one's place.
import * as mic from "../../hal/mic";
import { pdmBankBytes, pdmBankInit, pdmBankChannel, pdmDecimate } from "../../firmware/dsp/pdm";
import { beamStateBytes, beamInit, beamSteer, beamProcess } from "../../firmware/dsp/beamformer";
import { sdStateBytes, sdInit, sdSteer, sdSelectMic, sdProcess, sdCalibrate } from "../../firmware/dsp/superdirective";
import { mvdrStateBytes, mvdrInit, mvdrSteer, mvdrProcess, mvdrCalibrate } from "../../firmware/dsp/mvdr";
import { calStateBytes, calInit } from "../../firmware/dsp/mic-calibration";
import { AGC_STATE_BYTES, AgcConfig, agcInitAt, agcProcess, agcLinearGain } from "../../firmware/dsp/agc";
import { NS_STATE_BYTES, nsInit, nsProcess } from "../../firmware/dsp/noise-suppressor";
import { BEAM, MIC_CALIBRATION, NOISE_SUPPRESSOR, STEER_CONFIRM, STEER_AGREE_DEG, REBEAM_MS } from "../../firmware/app-options";
import { SteerHold, STEER_TO, STEER_MIC0 } from "../../firmware/dsp/steer-hold";
import { Doa } from "./doa";
import { History } from "./history";
import { Rebeam } from "./rebeam";
import { Dtln } from "./dtln";

export const RATE: u32 = 16000;
export const BLOCK_MS: u32 = 10;
export const BLOCK: i32 = 160; // samples per channel per frame
// The DMA fills buffers of FRAMES_PER_BUFFER frames (40 ms): the models' inferences (up to 42 ms
// on MCX N947's 150 MHz core with its NPU) then fit in the other buffer's fill time. The DSP
// still runs frame by frame.
export const FRAMES_PER_BUFFER: i32 = 4;
const DMA_MS: u32 = BLOCK_MS * <u32>FRAMES_PER_BUFFER;
export const MAX_MICS: i32 = 8;
const PDM_CLOCK: u32 = 2048000;
const PDM_RATIO: i32 = 128;
const PDM_BYTES: i32 = <i32>(PDM_CLOCK / 8000 * BLOCK_MS); // per channel per frame
const MAX_BEAM_DELAY: i32 = 48; // samples: 1 m of aperture at 16 kHz is 47
export const BEAM_MIC0: i32 = 0;
export const BEAM_DELAY_AND_SUM: i32 = 1;
export const BEAM_SUPERDIRECTIVE: i32 = 2;
export const BEAM_MVDR: i32 = 3;
// The superdirective beam's floor on white-noise gain (how far it may amplify what is
// uncorrelated between microphones: self-noise, the +-1 dB gain spread, position error).
// Chosen on the far-field bench's 5 dB scenes by the host reference (MEASUREMENTS.md "Beamformer and
// noise suppressor, measured": floors of -40..-15 dB tried): a pair has one degree of freedom
// and loses more to mismatch at a low floor. With the microphone calibration the mismatch is
// gone and the pair's best floor is lower (same scenes, calibrated: -15 / -20 dB +0.58 / +1.00 dB
// without self-noise; -25 / -30 dB +1.32 / +1.18 dB with it; uncalibrated at -25: -0.35 dB).
const SD_WNG_MIN_DB_PAIR: f32 = MIC_CALIBRATION ? -25 : -15;
const SD_WNG_MIN_DB: f32 = -20;

export class FrontEnd {
  readonly mics: i32;
  readonly pdm: bool;
  private readonly bufA: usize;
  private readonly bufB: usize;
  private readonly planar: usize; // MAX_MICS x BLOCK f32
  private readonly beamOut: usize;
  private pdmBank: usize = 0;
  private readonly beam: usize;
  private readonly superdirective: bool = BEAM == BEAM_SUPERDIRECTIVE;
  /** The microphone gain calibration's state (superdirective beam with MIC_CALIBRATION), or 0. */
  calibration: usize = 0;
  private readonly agcState: usize;
  private nsState: usize = 0; // the Wiener suppressor's state, only with NOISE_SUPPRESSOR (11 KB)
  readonly positions: usize; // x, y, z mm per microphone (f32)
  readonly agc: AgcConfig = new AgcConfig();
  doa!: Doa;
  /** When the beam follows the DOA (firmware/dsp/steer-hold.ts); the superdirective beam listens through microphone 0 while no direction is confirmed. */
  readonly hold: SteerHold = new SteerHold(<f32>STEER_AGREE_DEG, STEER_CONFIRM);
  readonly history: History = new History();
  /** The superdirective beam's re-run over the kept past when the hold takes a direction (REBEAM_MS > 0, the hold on, no suppressor), or null. */
  rebeam: Rebeam | null = null;
  suppress: bool = NOISE_SUPPRESSOR;
  steeredDeg: f32 = 0;
  gainDb: f32 = 0;
  /** Largest |sample| of the latest block after AGC, int16 units. */
  peak: i32 = 0;
  blocks: u64 = 0;

  /** The learnt suppressor (dtln.ts), or null. */
  readonly dtln: Dtln | null;

  constructor(dtln: Dtln | null = null) {
    this.dtln = dtln;
    if (dtln != null) this.suppress = true;
    this.mics = <i32>mic.count();
    this.pdm = mic.kind() == mic.KIND_SAI_BITSTREAM;
    const bytes = this.pdm ? mic.pdmBufferBytes(this.mics, PDM_CLOCK, DMA_MS) : mic.pcmBufferBytes(this.mics, RATE, DMA_MS);
    this.bufA = heap.alloc(bytes);
    this.bufB = heap.alloc(bytes);
    this.planar = heap.alloc(<usize>(MAX_MICS * BLOCK * 4));
    this.beamOut = heap.alloc(<usize>(BLOCK * 4));
    if (this.pdm) {
      this.pdmBank = heap.alloc(<usize>pdmBankBytes(PDM_RATIO, this.mics));
      pdmBankInit(this.pdmBank, PDM_RATIO, this.mics);
    }
    this.positions = heap.alloc(<usize>(this.mics * 12 + 12));
    for (let c = 0; c < this.mics; c++) mic.position(<u32>c, this.positions + <usize>(c * 12));
    if (this.superdirective) {
      this.beam = heap.alloc(<usize>sdStateBytes(this.mics));
      sdInit(this.beam, this.mics, this.positions, <f32>RATE, this.mics == 2 ? SD_WNG_MIN_DB_PAIR : SD_WNG_MIN_DB);
      if (MIC_CALIBRATION) {
        this.calibration = heap.alloc(<usize>calStateBytes(this.mics));
        calInit(this.calibration, this.mics);
        sdCalibrate(this.beam, this.calibration);
      }
    } else if (BEAM == BEAM_MVDR) {
      // The superdirective beam's white-noise-gain floors: the MVDR starts as that beam.
      this.beam = heap.alloc(<usize>mvdrStateBytes(this.mics));
      mvdrInit(this.beam, this.mics, this.positions, <f32>RATE, this.mics == 2 ? SD_WNG_MIN_DB_PAIR : SD_WNG_MIN_DB);
      if (MIC_CALIBRATION) {
        this.calibration = heap.alloc(<usize>calStateBytes(this.mics));
        calInit(this.calibration, this.mics);
        mvdrCalibrate(this.beam, this.calibration);
      }
    } else {
      this.beam = heap.alloc(<usize>beamStateBytes(this.mics, BLOCK, MAX_BEAM_DELAY));
      beamInit(this.beam, BEAM == BEAM_MIC0 ? 1 : this.mics, BLOCK, MAX_BEAM_DELAY);
    }
    this.agcState = heap.alloc(AGC_STATE_BYTES);
    agcInitAt(this.agcState, this.agc.maxGainDb); // see agcInitAt: the first word is not ramped through
    if (this.suppress && dtln == null) {
      this.nsState = heap.alloc(NS_STATE_BYTES);
      nsInit(this.nsState);
    }
    this.doa = new Doa(this.mics, this.positions);
    // A suppressor's state (the Wiener one's noise estimate, DTLN's LSTMs) is not re-run, so with one the past stays as heard.
    if (this.superdirective && STEER_CONFIRM > 0 && REBEAM_MS > 0 && !NOISE_SUPPRESSOR && dtln == null) this.rebeam = new Rebeam(this.mics, BLOCK, REBEAM_MS, this.beam, this.calibration);
    if (this.superdirective && STEER_CONFIRM > 0) this.listenMic0();
    else this.steer(90);
  }

  /** Starts the microphones; 0 or the HAL's error code. */
  start(): i32 {
    const r = this.pdm ? mic.configurePdm(this.mics, PDM_CLOCK, DMA_MS, this.bufA, this.bufB) : mic.configurePcm(this.mics, RATE, DMA_MS, this.bufA, this.bufB);
    if (r != 0) return r;
    mic.start();
    return 0;
  }

  steer(azimuthDeg: f32): void {
    this.steeredDeg = azimuthDeg;
    // The default beam first: the others' checks cost it nothing.
    if (this.superdirective) sdSteer(this.beam, this.positions, azimuthDeg * Mathf.PI / 180.0, <f32>RATE);
    else if (BEAM == BEAM_MVDR) mvdrSteer(this.beam, this.positions, azimuthDeg * Mathf.PI / 180.0, <f32>RATE);
    else beamSteer(this.beam, this.positions, azimuthDeg * Mathf.PI / 180.0, 0, <f32>RATE);
  }

  /** The superdirective beam's microphone 0 alone until a direction is confirmed; the delay-and-sum and MVDR beams keep their last direction meanwhile. */
  listenMic0(): void {
    if (this.superdirective) sdSelectMic(this.beam, 0);
  }

  /** Processes frame `frame` (0..FRAMES_PER_BUFFER-1) of the filled DMA buffer `index` (0 = A, 1 = B; planar, a channel's frames one after another). */
  process(index: i32, frame: i32): void {
    const buf = index == 0 ? this.bufA : this.bufB;
    const planar = this.planar;
    if (this.pdm) {
      for (let c = 0; c < this.mics; c++) {
        const src = buf + <usize>((c * FRAMES_PER_BUFFER + frame) * PDM_BYTES);
        pdmDecimate(pdmBankChannel(this.pdmBank, PDM_RATIO, c), src, PDM_BYTES, planar + <usize>(c * BLOCK * 4), 0);
      }
    } else {
      for (let c = 0; c < this.mics; c++) {
        const src = buf + (<usize>((c * FRAMES_PER_BUFFER + frame) * BLOCK) << 1), dst = planar + (<usize>(c * BLOCK) << 2);
        for (let i = 0; i < BLOCK; i++) store<f32>(dst + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * (1.0 / 32768.0));
      }
    }
    if (this.doa.push(planar, BLOCK)) {
      const wasSteered = this.hold.steered;
      const action = this.hold.update(this.doa.azimuthDeg);
      if (action == STEER_TO) {
        this.steer(this.hold.azimuthDeg);
        // A direction newly taken (not a follow within the hold's agreement): hear the past through it.
        if (!wasSteered && this.rebeam != null) this.rebeam!.start(this.blocks);
      }
      else if (action == STEER_MIC0) this.listenMic0();
    }
    if (this.superdirective) sdProcess(this.beam, planar, this.beamOut);
    else if (BEAM == BEAM_MVDR) mvdrProcess(this.beam, planar, this.beamOut);
    else beamProcess(this.beam, planar, BLOCK, this.beamOut);
    if (this.suppress) {
      if (this.dtln != null) this.dtln!.process(this.beamOut, BLOCK);
      else nsProcess(this.nsState, this.beamOut, this.beamOut);
    }
    this.gainDb = agcProcess(this.agcState, this.agc, this.beamOut, this.beamOut, BLOCK);
    if (this.rebeam != null) this.rebeam!.past.keep(planar, agcLinearGain(this.agcState));
    let peak: i32 = 0;
    for (let i = 0; i < BLOCK; i++) {
      const v = <i32>Mathf.round(load<f32>(this.beamOut + (<usize>i << 2)) * 32767.0);
      this.history.push(<i16>v);
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
    }
    this.peak = peak;
    this.blocks++;
  }
}
