// Blocked SGEMM (GotoBLAS loop order): for each NC-wide column block and KC-deep slice of op(B),
// pack it into NR-wide panels; for each MC-row block of op(A), pack it into MR-row panels; then run
// the MR×NR micro-kernel over every (row panel, column panel) pair, the B panel staying in L1 and
// the A block in L2. Packing reads either layout of each operand, so transposes cost nothing extra
// and panels are zero-padded, which lets the micro-kernel always run full tiles (edge tiles go
// through a small buffer). Matrix-vector-like products (M ≤ 3 or N ≤ 8) skip packing: dot products
// and row combinations straight from the operands (Unpacked below).
#include "sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define REALM_GEMM_X86 1
#endif

namespace realm_gemm {

const char* const kLevelNames[2] = {"scalar", "avx2"};

static int DetectLevel() {
#if REALM_GEMM_X86
  __builtin_cpu_init();
  // libgcc's detection also checks that the OS saves the ymm state (XGETBV).
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kScalar;
}

int BestLevel() {
  static const int best = DetectLevel();
  return best;
}

namespace {

// Cache blocking: a KC×NR panel of B (16 KiB for NR = 16) stays in L1 while MC×KC of A (96 KiB)
// streams from L2; KC×NC of B (1 MiB) fits a 2 MiB L2 beside it. MC and NC are multiples of every
// MR and NR below.
constexpr int64_t kKc = 256;
constexpr int64_t kMc = 96;
constexpr int64_t kNc = 1024;

/** op(X) of a row-major operand: element (row, col) is data[row*ld + col], or data[col*ld + row] when transposed. */
struct Operand {
  const float* data;
  int64_t ld;
  bool trans;
};

/**
 * Packs `count` lanes from `first` (rows of op(A) or columns of op(B)) over depth [k0, k0 + kc) into
 * W-lane panels, zero-padding the last: lane first + p·W + l at depth k0 + k goes to
 * dst[p·W·kc + k·W + l]. Element (lane, depth) is data[depth·ld + lane] when `lanes_contiguous`
 * (op(A) stored transposed, op(B) not), else data[lane·ld + depth].
 */
template <int W>
void PackPanels(const float* data, int64_t ld, bool lanes_contiguous, int64_t first, int64_t count, int64_t k0, int64_t kc, float* dst) {
  for (int64_t p = 0; p < count; p += W) {
    const int lanes = static_cast<int>(std::min<int64_t>(W, count - p));
    float* panel = dst + p * kc;
    if (lanes_contiguous) {
      // The panel's W values of one depth are contiguous in memory.
      const float* src = data + k0 * ld + first + p;
      if (lanes == W) {
        for (int64_t k = 0; k < kc; ++k, src += ld, panel += W) std::memcpy(panel, src, W * sizeof(float));
      } else {
        for (int64_t k = 0; k < kc; ++k, src += ld, panel += W) {
          for (int l = 0; l < lanes; ++l) panel[l] = src[l];
          for (int l = lanes; l < W; ++l) panel[l] = 0.0f;
        }
      }
    } else {
      // Each lane is a contiguous run along depth: read W of them side by side.
      const float* src[W];
      for (int l = 0; l < W; ++l) src[l] = data + (first + p + std::min(l, lanes - 1)) * ld + k0;
      if (lanes == W) {
        for (int64_t k = 0; k < kc; ++k, panel += W) {
          for (int l = 0; l < W; ++l) panel[l] = src[l][k];
        }
      } else {
        for (int64_t k = 0; k < kc; ++k, panel += W) {
          for (int l = 0; l < W; ++l) panel[l] = l < lanes ? src[l][k] : 0.0f;
        }
      }
    }
  }
}

/** c[MR×NR] (row stride ldc) = (accumulate ? c : 0) + Σ_k a_panel[k] ⊗ b_panel[k]. */
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);

/** Portable micro-kernel: plain loops over a 4×8 tile that compilers vectorize with the baseline ISA. */
constexpr int kScalarMr = 4;
constexpr int kScalarNr = 8;
void KernelScalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  float acc[kScalarMr][kScalarNr] = {};
  for (int64_t k = 0; k < kc; ++k, a += kScalarMr, b += kScalarNr) {
    for (int r = 0; r < kScalarMr; ++r) {
      for (int j = 0; j < kScalarNr; ++j) acc[r][j] += a[r] * b[j];
    }
  }
  for (int r = 0; r < kScalarMr; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < kScalarNr; ++j) row[j] = accumulate ? row[j] + acc[r][j] : acc[r][j];
  }
}

#if REALM_GEMM_X86
/**
 * AVX2 + FMA micro-kernel: 6 rows × 16 columns in 12 ymm accumulators, 2 B loads and 1 broadcast per
 * row per k. Written out by hand: with an accumulator array GCC stores it to the stack every k.
 */
constexpr int kAvx2Mr = 6;
constexpr int kAvx2Nr = 16;
__attribute__((target("avx2,fma"))) void KernelAvx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += kAvx2Mr, b += kAvx2Nr) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 ar = _mm256_broadcast_ss(a);
    c00 = _mm256_fmadd_ps(ar, b0, c00);
    c01 = _mm256_fmadd_ps(ar, b1, c01);
    ar = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ar, b0, c10);
    c11 = _mm256_fmadd_ps(ar, b1, c11);
    ar = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ar, b0, c20);
    c21 = _mm256_fmadd_ps(ar, b1, c21);
    ar = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ar, b0, c30);
    c31 = _mm256_fmadd_ps(ar, b1, c31);
    ar = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ar, b0, c40);
    c41 = _mm256_fmadd_ps(ar, b1, c41);
    ar = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ar, b0, c50);
    c51 = _mm256_fmadd_ps(ar, b1, c51);
  }
#define REALM_GEMM_STORE_ROW(r, lo, hi)                                              \
  do {                                                                               \
    float* row = c + (r) * ldc;                                                      \
    if (accumulate) {                                                                \
      _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), (lo)));              \
      _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), (hi)));      \
    } else {                                                                         \
      _mm256_storeu_ps(row, (lo));                                                   \
      _mm256_storeu_ps(row + 8, (hi));                                               \
    }                                                                                \
  } while (0)
  REALM_GEMM_STORE_ROW(0, c00, c01);
  REALM_GEMM_STORE_ROW(1, c10, c11);
  REALM_GEMM_STORE_ROW(2, c20, c21);
  REALM_GEMM_STORE_ROW(3, c30, c31);
  REALM_GEMM_STORE_ROW(4, c40, c41);
  REALM_GEMM_STORE_ROW(5, c50, c51);
#undef REALM_GEMM_STORE_ROW
}
#endif

// Primitives of the unpacked paths for matrix-vector-like products (M or N tiny), where packing
// and zero-padded tiles would waste most of the work:
//   dots:    out[r*out_stride] = Σ_k x[k]·rows[r*ld + k]        for r < count
//   combine: out[j]            = Σ_k coef[k]·rows[k*ld + j]     for j < width
using DotsFn = void (*)(int64_t k, const float* x, const float* rows, int64_t ld, int64_t count, float* out, int64_t out_stride);
using CombineFn = void (*)(int64_t k, const float* coef, const float* rows, int64_t ld, int64_t width, float* out);

void DotsScalar(int64_t k, const float* x, const float* rows, int64_t ld, int64_t count, float* out, int64_t out_stride) {
  for (int64_t r = 0; r < count; ++r) {
    const float* row = rows + r * ld;
    // Eight independent partial sums, so compilers vectorize without reassociating.
    float partial[8] = {};
    int64_t kk = 0;
    for (; kk + 8 <= k; kk += 8) {
      for (int l = 0; l < 8; ++l) partial[l] += x[kk + l] * row[kk + l];
    }
    float sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; kk < k; ++kk) sum += x[kk] * row[kk];
    out[r * out_stride] = sum;
  }
}

void CombineScalar(int64_t k, const float* coef, const float* rows, int64_t ld, int64_t width, float* out) {
  std::fill(out, out + width, 0.0f);
  for (int64_t kk = 0; kk < k; ++kk) {
    const float scale = coef[kk];
    const float* row = rows + kk * ld;
    for (int64_t j = 0; j < width; ++j) out[j] += scale * row[j];
  }
}

#if REALM_GEMM_X86
__attribute__((target("avx2,fma"))) inline __m256i TailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2,fma"))) inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/** Four rows at a time (the x vector loaded once for all four), then single rows; masked loads for the K tail. */
__attribute__((target("avx2,fma"))) void DotsAvx2(int64_t k, const float* x, const float* rows, int64_t ld, int64_t count, float* out, int64_t out_stride) {
  const int64_t k8 = k & ~int64_t{7};
  const __m256i tail = TailMask(k - k8);
  int64_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const float* r0 = rows + r * ld;
    const float* r1 = r0 + ld;
    const float* r2 = r1 + ld;
    const float* r3 = r2 + ld;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    for (int64_t kk = 0; kk < k8; kk += 8) {
      const __m256 xv = _mm256_loadu_ps(x + kk);
      s0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r0 + kk), s0);
      s1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r1 + kk), s1);
      s2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r2 + kk), s2);
      s3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r3 + kk), s3);
    }
    if (k8 < k) {
      const __m256 xv = _mm256_maskload_ps(x + k8, tail);
      s0 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(r0 + k8, tail), s0);
      s1 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(r1 + k8, tail), s1);
      s2 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(r2 + k8, tail), s2);
      s3 = _mm256_fmadd_ps(xv, _mm256_maskload_ps(r3 + k8, tail), s3);
    }
    out[r * out_stride] = HorizontalSum(s0);
    out[(r + 1) * out_stride] = HorizontalSum(s1);
    out[(r + 2) * out_stride] = HorizontalSum(s2);
    out[(r + 3) * out_stride] = HorizontalSum(s3);
  }
  for (; r < count; ++r) {
    const float* row = rows + r * ld;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t kk = 0;
    for (; kk + 16 <= k8; kk += 16) {
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + kk), _mm256_loadu_ps(row + kk), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + kk + 8), _mm256_loadu_ps(row + kk + 8), s1);
    }
    if (kk < k8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + kk), _mm256_loadu_ps(row + kk), s0);
    if (k8 < k) s1 = _mm256_fmadd_ps(_mm256_maskload_ps(x + k8, tail), _mm256_maskload_ps(row + k8, tail), s1);
    out[r * out_stride] = HorizontalSum(_mm256_add_ps(s0, s1));
  }
}

/** 32 columns at a time in four accumulators over all of k, then 8, then a masked tail. */
__attribute__((target("avx2,fma"))) void CombineAvx2(int64_t k, const float* coef, const float* rows, int64_t ld, int64_t width, float* out) {
  int64_t j = 0;
  for (; j + 32 <= width; j += 32) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    const float* row = rows + j;
    for (int64_t kk = 0; kk < k; ++kk, row += ld) {
      const __m256 scale = _mm256_broadcast_ss(coef + kk);
      s0 = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row), s0);
      s1 = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row + 8), s1);
      s2 = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row + 16), s2);
      s3 = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row + 24), s3);
    }
    _mm256_storeu_ps(out + j, s0);
    _mm256_storeu_ps(out + j + 8, s1);
    _mm256_storeu_ps(out + j + 16, s2);
    _mm256_storeu_ps(out + j + 24, s3);
  }
  for (; j < width; j += 8) {
    const __m256i mask = TailMask(width - j);
    __m256 s0 = _mm256_setzero_ps();
    const float* row = rows + j;
    for (int64_t kk = 0; kk < k; ++kk, row += ld) s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(coef + kk), _mm256_maskload_ps(row, mask), s0);
    _mm256_maskstore_ps(out + j, mask, s0);
  }
}
#endif

/** 64-byte aligned scratch that grows on demand and lives as long as its thread. */
class Scratch {
 public:
  float* Get(size_t floats) {
    if (floats > size_) {
      data_.reset(static_cast<float*>(std::aligned_alloc(64, ((floats * sizeof(float) + 63) / 64) * 64)));
      size_ = data_ ? floats : 0;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  size_t size_ = 0;
};

template <int MR, int NR>
bool Blocked(MicroKernel kernel, int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b, float* c, int64_t ldc) {
  thread_local Scratch a_scratch;
  thread_local Scratch b_scratch;
  const int64_t kc_max = std::min(k, kKc);
  float* a_pack = a_scratch.Get(static_cast<size_t>(std::min(m + MR - 1, kMc) / MR * MR * kc_max));
  float* b_pack = b_scratch.Get(static_cast<size_t>((std::min(n, kNc) + NR - 1) / NR * NR * kc_max));
  if (a_pack == nullptr || b_pack == nullptr) return false;
  alignas(64) float edge[MR * NR];
  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const bool accumulate = pc > 0;
      PackPanels<NR>(b.data, b.ld, !b.trans, jc, nc, pc, kc, b_pack);
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = std::min(kMc, m - ic);
        PackPanels<MR>(a.data, a.ld, a.trans, ic, mc, pc, kc, a_pack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = std::min<int64_t>(NR, nc - jr);
          const float* b_panel = b_pack + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = std::min<int64_t>(MR, mc - ir);
            const float* a_panel = a_pack + ir * kc;
            float* tile = c + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              kernel(kc, a_panel, b_panel, tile, ldc, accumulate);
              continue;
            }
            kernel(kc, a_panel, b_panel, edge, NR, false);
            for (int64_t r = 0; r < mr; ++r) {
              float* row = tile + r * ldc;
              const float* src = edge + r * NR;
              for (int64_t j = 0; j < nr; ++j) row[j] = accumulate ? row[j] + src[j] : src[j];
            }
          }
        }
      }
    }
  }
  return true;
}

// Where the unpacked paths beat the packed kernel (measured with AVX2, K = 128, the other side 80
// and 2560: 0.1–0.8× its time up to M = 3 rows or N = 8 columns, about 1× at N = 10).
constexpr int64_t kSmallM = 3;
constexpr int64_t kSmallN = 8;

/** C = op(A)·op(B) for m ≤ kSmallM (row by row) or n ≤ kSmallN (column by column), without packing. */
bool Unpacked(DotsFn dots, CombineFn combine, int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b, float* c, int64_t ldc) {
  thread_local Scratch vector_scratch;
  thread_local Scratch column_scratch;
  float* vector = vector_scratch.Get(static_cast<size_t>(k));
  if (vector == nullptr) return false;
  if (m <= kSmallM) {
    for (int64_t i = 0; i < m; ++i) {
      // Row i of op(A), contiguous.
      const float* row = a.data + i * a.ld;
      if (a.trans) {
        for (int64_t kk = 0; kk < k; ++kk) vector[kk] = a.data[kk * a.ld + i];
        row = vector;
      }
      // C row i: Σ_k A(i, k)·(row k of op(B)), or dots with the rows of the stored Bᵀ.
      if (b.trans) {
        dots(k, row, b.data, b.ld, n, c + i * ldc, 1);
      } else {
        combine(k, row, b.data, b.ld, n, c + i * ldc);
      }
    }
    return true;
  }
  float* column = a.trans ? column_scratch.Get(static_cast<size_t>(m)) : nullptr;
  if (a.trans && column == nullptr) return false;
  for (int64_t j = 0; j < n; ++j) {
    // Column j of op(B), contiguous.
    const float* col = b.data + j * b.ld;
    if (!b.trans) {
      for (int64_t kk = 0; kk < k; ++kk) vector[kk] = b.data[kk * b.ld + j];
      col = vector;
    }
    if (!a.trans) {
      dots(k, col, a.data, a.ld, m, c + j, ldc);
    } else {
      combine(k, col, a.data, a.ld, m, column);
      for (int64_t i = 0; i < m; ++i) c[i * ldc + j] = column[i];
    }
  }
  return true;
}

}  // namespace

bool Sgemm(int level, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return true;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return true;
  }
  const Operand op_a{a, lda, trans_a};
  const Operand op_b{b, ldb, trans_b};
  const bool small = m <= kSmallM || n <= kSmallN;
#if REALM_GEMM_X86
  if (level == kAvx2) {
    return small ? Unpacked(DotsAvx2, CombineAvx2, m, n, k, op_a, op_b, c, ldc) : Blocked<kAvx2Mr, kAvx2Nr>(KernelAvx2, m, n, k, op_a, op_b, c, ldc);
  }
#endif
  (void)level;
  if (small) return Unpacked(DotsScalar, CombineScalar, m, n, k, op_a, op_b, c, ldc);
  return Blocked<kScalarMr, kScalarNr>(KernelScalar, m, n, k, op_a, op_b, c, ldc);
}

}  // namespace realm_gemm
