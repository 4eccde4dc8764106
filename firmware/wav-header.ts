// The 44-byte header of a 16-bit PCM mono WAV file, as the capture folders write them
// (voice-control's /VOICE/CAPTURE, active-speaker's /ASD/CAPTURE); replays as `--input mic=`.

export const WAV_HEADER_BYTES: i32 = 44;

/** Writes the header for `dataBytes` of 16-bit mono samples at `rateHz` to `p`. */
export function storeWavHeader(p: usize, dataBytes: u32, rateHz: u32): void {
  store<u32>(p, 0x46464952); // "RIFF"
  store<u32>(p, 36 + dataBytes, 4);
  store<u32>(p, 0x45564157, 8); // "WAVE"
  store<u32>(p, 0x20746d66, 12); // "fmt "
  store<u32>(p, 16, 16);
  store<u16>(p, 1, 20); // PCM
  store<u16>(p, 1, 22); // mono
  store<u32>(p, rateHz, 24);
  store<u32>(p, rateHz * 2, 28); // bytes per second
  store<u16>(p, 2, 32); // block align
  store<u16>(p, 16, 34); // bits
  store<u32>(p, 0x61746164, 36); // "data"
  store<u32>(p, dataBytes, 40);
}
