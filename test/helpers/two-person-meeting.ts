// A short two-person meeting for the direction-cue tests: one talker, one silent face, babble.
// Mirroring the azimuths (talker at -a, silent at +a) puts the talker's sound on the other side.
export const twoPersonMeeting = (talkerAz: number, silentAz: number) => ({
  seed: 7,
  duration: 3,
  room: { size: [5, 4.5, 2.7], rt60: 0.4 },
  device: { position: [2, 0.3, 1.1], azimuth: 90 },
  people: [
    { name: "talker", az: talkerAz, dist: 1.8, speech: [{ file: "es-cb-m2-0.wav", start: 0.2 }] },
    { name: "silent", az: silentAz, dist: 1.8 },
  ],
  noise: [{ type: "babble" }],
  snr: 15,
});
