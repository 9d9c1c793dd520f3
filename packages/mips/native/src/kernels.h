// The scan kernels of the native exact-MIPS addon: one implementation (kernel_impl.inc) compiled
// three times, for AVX-512, AVX2+FMA and portable C, each behind __attribute__((target(...))) so
// the addon runs on any x86-64 (or other) CPU and picks the best level at run time.
#pragma once

#include <cstdint>

#include "topk.h"

namespace realm_mips {

/** A run of contiguous float32 rows (row-major, `dim` wide) whose first row has id `first_id`. */
struct RowSpan {
  const float* rows;
  int64_t count;
  int64_t first_id;
};

/**
 * Scores every query (row-major [num_queries, dim]) against every row of `spans` (scanned in
 * order, so ids ascend) and offers the scores to `heaps`; never stores more than a register tile
 * of scores.
 */
using ScanFn = void (*)(const float* queries, int num_queries, int dim, const RowSpan* spans, int num_spans, TopKHeaps& heaps);

enum SimdLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

void ScanScalar(const float* queries, int num_queries, int dim, const RowSpan* spans, int num_spans, TopKHeaps& heaps);
#if defined(__x86_64__) || defined(__i386__)
void ScanAvx2(const float* queries, int num_queries, int dim, const RowSpan* spans, int num_spans, TopKHeaps& heaps);
void ScanAvx512(const float* queries, int num_queries, int dim, const RowSpan* spans, int num_spans, TopKHeaps& heaps);
#endif

}  // namespace realm_mips
