// Portable C++ instance of kernel_impl.inc (any CPU): an 8-float struct stands in for a vector,
// so the compiler may still use the baseline SIMD (SSE2 / NEON) across the independent lanes.
// -ffp-contract=off keeps multiply and add separately rounded on every target.
#include "kernels.h"

namespace realm_mips {
namespace scalar {
struct Vec8 {
  float v[8];
};
inline Vec8 Zero() {
  Vec8 out;
  for (float& x : out.v) x = 0.0f;
  return out;
}
inline Vec8 Load(const float* p, int n = 8) {
  Vec8 out;
  for (int i = 0; i < 8; ++i) out.v[i] = i < n ? p[i] : 0.0f;
  return out;
}
inline Vec8 Broadcast(const float* p) {
  Vec8 out;
  for (float& x : out.v) x = *p;
  return out;
}
inline Vec8 MulAdd(const Vec8& a, const Vec8& b, const Vec8& c) {
  Vec8 out;
  for (int i = 0; i < 8; ++i) out.v[i] = a.v[i] * b.v[i] + c.v[i];
  return out;
}
inline void Store(float* p, const Vec8& v) {
  for (int i = 0; i < 8; ++i) p[i] = v.v[i];
}
inline unsigned GreaterMask(const Vec8& a, const Vec8& b) {
  unsigned mask = 0;
  for (int i = 0; i < 8; ++i) mask |= (a.v[i] > b.v[i] ? 1u : 0u) << i;
  return mask;
}
inline float Sum(const Vec8& v) {
  return ((v.v[0] + v.v[4]) + (v.v[2] + v.v[6])) + ((v.v[1] + v.v[5]) + (v.v[3] + v.v[7]));
}
}  // namespace scalar
}  // namespace realm_mips

#define KNS scalar
#define KTARGET
#define SCAN_NAME ScanScalar
#define VEC Vec8
#define VW 8
#define V_ZERO() Zero()
#define V_LOAD(p) Load(p)
#define V_LOADN(p, n) Load((p), (n))
#define V_BCAST(p) Broadcast(p)
#define V_FMA(a, b, c) MulAdd((a), (b), (c))
#define V_STORE(p, v) Store((p), (v))
#define V_GT_MASK(a, b) GreaterMask((a), (b))
#define V_HSUM(v) Sum(v)
#define WIDE_MV 1
#define WIDE_NR 4
#define NARROW_MR 2
#define NARROW_NR 2
#define NARROW_MAX_QUERIES 2

#include "kernel_impl.inc"
