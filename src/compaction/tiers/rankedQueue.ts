/**
 * Entries by score, highest first; among equal scores, the one queued first
 * comes first (so an entry queued again goes after every equal one already
 * there). A binary heap: `push` and `pop` are O(log n).
 */
export class RankedQueue {
  private readonly heap: Array<{ i: number; score: number; seq: number }> = [];
  private seq = 0;

  /** The best entry's score, undefined when empty. */
  peekScore(): number | undefined {
    return this.heap[0]?.score;
  }

  push(i: number, score: number): void {
    const h = this.heap;
    h.push({ i, score, seq: this.seq++ });
    for (let k = h.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1;
      if (!this.before(k, parent)) break;
      [h[k], h[parent]] = [h[parent]!, h[k]!];
      k = parent;
    }
  }

  /** Removes the best entry and returns its index (undefined when empty). */
  pop(): { i: number; score: number } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined) return undefined;
    if (h.length > 0) {
      h[0] = last;
      for (let k = 0; ; ) {
        const l = 2 * k + 1;
        const r = l + 1;
        let best = k;
        if (l < h.length && this.before(l, best)) best = l;
        if (r < h.length && this.before(r, best)) best = r;
        if (best === k) break;
        [h[k], h[best]] = [h[best]!, h[k]!];
        k = best;
      }
    }
    return { i: top.i, score: top.score };
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.score > y.score || (x.score === y.score && x.seq < y.seq);
  }
}
