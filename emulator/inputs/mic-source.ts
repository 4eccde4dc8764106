// What a microphone input gives the microphone peripheral: the sound pressure at each
// microphone as a digital signal, before the microphone's own modulator and decimator.
// WAV files (close talk) and far-field room scenes both produce one of these.

/** Where the board's (and any add-on array's) microphones are, in millimetres. */
export interface MicGeometry {
  /** One [x, y, z] per microphone, in the board's frame. */
  readonly positionsMm: readonly (readonly [number, number, number])[];
  /** Where a camera in the same housing looks, degrees from the board's +x towards +y (0 when
   *  absent): boards/*.json microphones.cameraAxisDeg, read by the av-scene renderer. */
  readonly cameraAxisDeg?: number;
}

export interface MicSource {
  /** Channels this source provides: one per microphone of the geometry it was opened for. */
  readonly channels: number;
  /** Sample rate of `read` in Hz. */
  readonly sampleRate: number;
  /** Where the signal came from, for messages. */
  readonly description: string;
  /** "board": sample k is at k / sampleRate seconds since the board started (a scene shared with
   *  the camera); otherwise since the microphones started. */
  readonly timeline?: "board";
  /**
   * Fills `out` with samples [start, start + out.length) of one microphone, in full-scale
   * units (1.0 = 0 dBFS at the microphone's digital output). Past the end of the material a
   * source gives silence unless it loops. Deterministic: the same call gives the same samples.
   */
  read(channel: number, start: number, out: Float64Array): void;
}
