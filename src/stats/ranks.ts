/** Mid-ranks of values (1-based; tied values share the mean of their ranks) and the tie term Σ(t³ − t). */
export interface MidRanks {
  /** ranks[i] is the mid-rank of values[i]. */
  ranks: number[];
  /** Σ(t³ − t) over the groups of t tied values, for the variance corrections of rank tests. */
  tieTerm: number;
}

/** Mid-ranks of `values` in their input order, with the tie term; O(n log n). */
export function midRanks(values: readonly number[]): MidRanks {
  const n = values.length;
  const order = values.map((_, i) => i).sort((x, y) => values[x]! - values[y]!);
  const ranks = new Array<number>(n);
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const midRank = (i + j + 2) / 2;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) ranks[order[k]!] = midRank;
    i = j + 1;
  }
  return { ranks, tieTerm };
}
