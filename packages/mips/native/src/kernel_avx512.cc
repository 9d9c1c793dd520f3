// AVX-512 (F/DQ/BW/VL) instance of kernel_impl.inc: 16-lane zmm vectors; wide tiles of 6 rows ×
// 4 vectors (64 queries, 24 accumulators of the 32 registers), narrow tiles of 4 queries × 4 rows.
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define KNS avx512
#define KTARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define SCAN_NAME ScanAvx512
#define VEC __m512
#define VW 16
#define V_ZERO() _mm512_setzero_ps()
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_LOADN(p, n) _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << (n)) - 1u), (p))
#define V_BCAST(p) _mm512_set1_ps(*(p))
#define V_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define V_STORE(p, v) _mm512_store_ps((p), (v))
#define V_GT_MASK(a, b) static_cast<unsigned>(_mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ))
#define V_HSUM(v) _mm512_reduce_add_ps(v)
#define WIDE_MV 4
#define WIDE_NR 6
#define NARROW_MR 4
#define NARROW_NR 4
#define NARROW_MAX_QUERIES 4

#include "kernel_impl.inc"
#endif
