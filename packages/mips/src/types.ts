// The faiss-shaped MIPS index contract (faiss/Index.h: add/search/reset/reconstruct), shared by the
// exact CPU index and the tfjs index so that retrievers can swap one for the other.

/** Top-k results for a batch of queries: both arrays are row-major [numQueries, k]. */
export interface SearchResult {
  /** Inner products, best first; `-Infinity` where fewer than k vectors exist. */
  readonly scores: Float32Array;
  /** Row ids (0-based, in insertion order); `-1` where fewer than k vectors exist. */
  readonly ids: Int32Array;
}

/**
 * Maximum inner product search over a matrix of row vectors. Ids are assigned sequentially by
 * `add` (the first vector added is id 0). Ties: equal scores are ordered by ascending id, so the
 * lower id wins the last slot of a top-k.
 */
export interface MipsIndex {
  /** Vector dimension d. */
  readonly dim: number;
  /** Number of stored vectors (faiss `ntotal`). */
  readonly size: number;
  /** Appends n vectors (row-major n×dim); they get ids size…size+n-1. */
  add(vectors: Float32Array): void;
  /** Returns the k best rows for each of n queries (row-major n×dim), padded with -1/-Infinity. */
  search(queries: Float32Array, k: number): Promise<SearchResult>;
  /** Removes every vector (searches already started keep their snapshot). */
  reset(): void;
  /** Atomically swaps the whole matrix (index refresh); searches in flight finish on the old one. */
  replaceAll(matrix: Float32Array): void;
  /** Returns a copy of the stored vector with this id. */
  reconstruct(id: number): Float32Array;
  /** Encodes the index in the versioned, checksummed MIPS file format. */
  serialize(): Uint8Array;
}
