// Mismatched audio for training the fusion on synchrony: a share of each batch gets another
// training sample's audio window. The face's mouth and that sound are not in step, so its
// fused target is 0; its video target stays its own (the video head never hears), and its
// audio target becomes the swapped window's ("some face speaks" in that sound). This is the
// case silent mouthing needs: a moving mouth while someone else speaks is not speech.

export interface MismatchedBatch {
  /** Row r's audio comes from sample audioIdx[r] (its own index when not swapped). */
  audioIdx: number[];
  /** 0 where the row's audio was swapped, else 1: multiplies the fused target. */
  fusedKeep: number[];
}

export function mismatchBatch(
  own: ArrayLike<number>,
  count: number,
  share: number,
  rnd: () => number,
): MismatchedBatch {
  // Share 0 draws nothing: the seeded stream (and so the model) is the one without mismatch.
  if (share === 0) return { audioIdx: Array.from(own), fusedKeep: Array.from(own, () => 1) };
  const audioIdx: number[] = [];
  const fusedKeep: number[] = [];
  for (let r = 0; r < own.length; r++) {
    let k = own[r];
    if (rnd() < share) {
      // Another sample; drawing the row's own index again would not be a mismatch.
      const j = Math.floor(rnd() * (count - 1));
      k = j >= own[r] ? j + 1 : j;
    }
    audioIdx.push(k);
    fusedKeep.push(k === own[r] ? 1 : 0);
  }
  return { audioIdx, fusedKeep };
}
