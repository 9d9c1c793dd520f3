// Per-query bounded min-heaps for exact MIPS (the native twin of packages/mips/src/topk.ts, i.e.
// faiss's float_minheap_array_t with REALM's tie rule): the worst kept entry sits at the root;
// higher score ranks first and equal scores rank by ascending id, so the lower id survives a tie.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace realm_mips {

/** Lanes the thresholds array is padded to, so a kernel may read a whole group of queries at once. */
constexpr int kThresholdPad = 64;

/** True when (score_a, id_a) ranks below (score_b, id_b). */
inline bool Worse(float score_a, int32_t id_a, float score_b, int32_t id_b) {
  return score_a < score_b || (score_a == score_b && id_a > id_b);
}

/** One heap of capacity k per query, stored flat; one instance per scanning thread. */
class TopKHeaps {
 public:
  TopKHeaps(int num_queries, int k)
      : num_queries_(num_queries),
        k_(k),
        scores_(static_cast<size_t>(num_queries) * k),
        ids_(static_cast<size_t>(num_queries) * k),
        sizes_(num_queries, 0),
        // Padding lanes get +inf so no score ever passes their bar; real queries start at -inf.
        thresholds_(((num_queries + kThresholdPad - 1) / kThresholdPad + 1) * kThresholdPad, INFINITY) {
    for (int q = 0; q < num_queries; ++q) thresholds_[q] = -INFINITY;
  }

  int num_queries() const { return num_queries_; }
  int k() const { return k_; }
  int size(int q) const { return sizes_[q]; }
  const float* scores(int q) const { return &scores_[static_cast<size_t>(q) * k_]; }
  const int32_t* ids(int q) const { return &ids_[static_cast<size_t>(q) * k_]; }

  /**
   * Entry bar per query, read by the kernels: a score must be strictly greater to be offered.
   * Strict is exact because each thread scans its rows in ascending id order, so a later row
   * with a score equal to the root's loses the tie anyway.
   */
  const float* thresholds() const { return thresholds_.data(); }

  /** Offers (score, id) to query q's heap (full ordering check, so stale bars are harmless). */
  void Offer(int q, float score, int32_t id) {
    float* scores = &scores_[static_cast<size_t>(q) * k_];
    int32_t* ids = &ids_[static_cast<size_t>(q) * k_];
    int size = sizes_[q];
    if (size < k_) {
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >> 1;
        if (!Worse(score, id, scores[parent], ids[parent])) break;
        scores[i] = scores[parent];
        ids[i] = ids[parent];
        i = parent;
      }
      scores[i] = score;
      ids[i] = id;
      sizes_[q] = size;
      if (size == k_) thresholds_[q] = scores[0];
      return;
    }
    if (!Worse(scores[0], ids[0], score, id)) return;
    int i = 0;
    for (;;) {
      int left = 2 * i + 1;
      if (left >= k_) break;
      int child = left;
      int right = left + 1;
      if (right < k_ && Worse(scores[right], ids[right], scores[left], ids[left])) child = right;
      if (!Worse(scores[child], ids[child], score, id)) break;
      scores[i] = scores[child];
      ids[i] = ids[child];
      i = child;
    }
    scores[i] = score;
    ids[i] = id;
    thresholds_[q] = scores[0];
  }

 private:
  int num_queries_;
  int k_;
  std::vector<float> scores_;
  std::vector<int32_t> ids_;
  std::vector<int> sizes_;
  std::vector<float> thresholds_;
};

}  // namespace realm_mips
