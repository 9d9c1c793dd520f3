// Single-precision GEMM of @realm/backend's native addon: C = op(A)·op(B), row-major, C overwritten.
// One blocked driver (packed panels, cache blocking over K, M and N) with a register-blocked
// micro-kernel per SIMD level, chosen at run time; no -march (see binding.gyp).
#ifndef REALM_BACKEND_SGEMM_H_
#define REALM_BACKEND_SGEMM_H_

#include <cstdint>

namespace realm_gemm {

enum SimdLevel { kScalar = 0, kAvx2 = 1 };

/** Names of the levels, indexed by SimdLevel. */
extern const char* const kLevelNames[2];

/** The best level this CPU (and OS) runs. */
int BestLevel();

/**
 * C[i*ldc + j] = Σ_k op(A)(i, k) · op(B)(k, j) for i < m, j < n, where op(A)(i, k) is a[i*lda + k]
 * (a[k*lda + i] when trans_a) and op(B)(k, j) is b[k*ldb + j] (b[j*ldb + k] when trans_b).
 * k = 0 writes zeros. C must not overlap A or B. Thread-safe (the packing buffers are thread_local).
 * Returns false only when the packing buffers cannot be allocated (C is then incomplete).
 */
bool Sgemm(int level, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float* c, int64_t ldc);

}  // namespace realm_gemm

#endif  // REALM_BACKEND_SGEMM_H_
