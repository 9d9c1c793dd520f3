// AVX2 + FMA instance of kernel_impl.inc: 8-lane ymm vectors; wide tiles of 6 rows × 2 vectors
// (16 queries, 12 accumulators of the 16 registers), narrow tiles of 2 queries × 4 rows.
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define KNS avx2
#define KTARGET __attribute__((target("avx2,fma")))

namespace realm_mips {
namespace avx2 {
KTARGET inline __m256 LoadPartial(const float* p, int n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes));
}
KTARGET inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
}  // namespace avx2
}  // namespace realm_mips

#define SCAN_NAME ScanAvx2
#define VEC __m256
#define VW 8
#define V_ZERO() _mm256_setzero_ps()
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_LOADN(p, n) LoadPartial((p), (n))
#define V_BCAST(p) _mm256_broadcast_ss(p)
#define V_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define V_STORE(p, v) _mm256_store_ps((p), (v))
#define V_GT_MASK(a, b) static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps((a), (b), _CMP_GT_OQ)))
#define V_HSUM(v) HorizontalSum(v)
#define WIDE_MV 2
#define WIDE_NR 6
#define NARROW_MR 2
#define NARROW_NR 4
#define NARROW_MAX_QUERIES 4

#include "kernel_impl.inc"
#endif
