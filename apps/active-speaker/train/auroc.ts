// Area under the ROC curve of scores against 0/1 labels: the probability that a random
// positive scores above a random negative (ties count half), by ranks (Mann-Whitney U).
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[a] - scores[b],
  );
  let pos = 0,
    rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) j++;
    const rank = (i + j + 1) / 2; // mean 1-based rank of the tie group
    for (let k = i; k < j; k++)
      if (labels[idx[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    i = j;
  }
  const neg = scores.length - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}
