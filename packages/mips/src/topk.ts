// Per-query top-k selection with a bounded binary min-heap (the worst kept entry at the root), the
// streaming counterpart of tf.math.top_k in REALM's BruteForceRetriever: memory is numQueries×k.
// Order: higher score first; equal scores → lower id first (so the lower id survives a tie).

/** Top-k accumulators for a batch of queries; heaps live in flat typed arrays. */
export class TopK {
  readonly scores: Float32Array;
  readonly ids: Int32Array;
  readonly sizes: Int32Array;
  /**
   * Entry bar per query: a candidate must score at least this to be considered (−Infinity until
   * the heap is full, then the root's score). Kept as a plain array the kernels read directly.
   */
  readonly thresholds: Float64Array;

  constructor(
    readonly numQueries: number,
    readonly k: number,
  ) {
    this.scores = new Float32Array(numQueries * k);
    this.ids = new Int32Array(numQueries * k);
    this.sizes = new Int32Array(numQueries);
    this.thresholds = new Float64Array(numQueries).fill(-Infinity);
  }

  /** Offers (score, id) to query q's heap. `score` must already be rounded to float32. */
  offer(q: number, score: number, id: number): void {
    const k = this.k;
    const base = q * k;
    const scores = this.scores;
    const ids = this.ids;
    let size = this.sizes[q];
    if (size < k) {
      // Sift up from the new leaf.
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, id, scores[base + parent], ids[base + parent])) break;
        scores[base + i] = scores[base + parent];
        ids[base + i] = ids[base + parent];
        i = parent;
      }
      scores[base + i] = score;
      ids[base + i] = id;
      this.sizes[q] = size;
      if (size === k) this.thresholds[q] = scores[base];
      return;
    }
    if (!worse(scores[base], ids[base], score, id)) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= k) break;
      let child = left;
      const right = left + 1;
      if (right < k && worse(scores[base + right], ids[base + right], scores[base + left], ids[base + left])) child = right;
      if (!worse(scores[base + child], ids[base + child], score, id)) break;
      scores[base + i] = scores[base + child];
      ids[base + i] = ids[base + child];
      i = child;
    }
    scores[base + i] = score;
    ids[base + i] = id;
    this.thresholds[q] = scores[base];
  }

  /** Offers every real entry of a finished [numQueries, k] result (used to merge shards/workers). */
  mergeResult(scores: Float32Array, ids: Int32Array, k: number): void {
    for (let q = 0; q < this.numQueries; q++) {
      for (let j = 0; j < k; j++) {
        const id = ids[q * k + j];
        if (id < 0) break;
        this.offer(q, scores[q * k + j], id);
      }
    }
  }

  /** Sorts each heap best-first and pads with (−Infinity, −1): the faiss output layout. */
  finish(): { scores: Float32Array; ids: Int32Array } {
    const { k, numQueries } = this;
    const outScores = new Float32Array(numQueries * k).fill(-Infinity);
    const outIds = new Int32Array(numQueries * k).fill(-1);
    const order: number[] = [];
    for (let q = 0; q < numQueries; q++) {
      const base = q * k;
      const size = this.sizes[q];
      order.length = 0;
      for (let j = 0; j < size; j++) order.push(base + j);
      order.sort((a, b) => (this.scores[b] - this.scores[a]) || (this.ids[a] - this.ids[b]));
      for (let j = 0; j < size; j++) {
        outScores[base + j] = this.scores[order[j]];
        outIds[base + j] = this.ids[order[j]];
      }
    }
    return { scores: outScores, ids: outIds };
  }
}

/** True when (scoreA, idA) ranks below (scoreB, idB). */
function worse(scoreA: number, idA: number, scoreB: number, idB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && idA > idB);
}
