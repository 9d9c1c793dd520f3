// N-API entry points of @realm/backend's native GEMM (plain node_api.h, no node-addon-api), used by
// the wasm BatchMatMul kernel on Float32Array views of the WebAssembly heap:
//   sgemm(transA, transB, M, N, K, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc[, simd])
//     C = op(A)·op(B), row-major, C overwritten; offsets and leading dimensions count elements of
//     the given Float32Arrays; simd ('avx2' | 'scalar') defaults to the best level of this CPU.
//   simdLevels() → the levels this CPU runs, best first.
// Every argument is validated (integers, extents inside the arrays, C not overlapping A or B) and a
// violation throws a RangeError/TypeError naming the argument; nothing is read or written then.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "sgemm.h"

namespace realm_gemm {
namespace {

constexpr const char* kErrorCode = "ERR_REALM_NATIVE_GEMM";
/** Largest integer argument accepted: exact in a double, and products of two stay below 2^63. */
constexpr double kMaxInt = 2147483647.0 * 4;

bool ThrowType(napi_env env, const std::string& message) {
  napi_throw_type_error(env, kErrorCode, ("sgemm: " + message).c_str());
  return false;
}

bool ThrowRange(napi_env env, const std::string& message) {
  napi_throw_range_error(env, kErrorCode, ("sgemm: " + message).c_str());
  return false;
}

bool GetBool(napi_env env, napi_value value, const char* name, bool* out) {
  if (napi_get_value_bool(env, value, out) != napi_ok) return ThrowType(env, std::string(name) + " must be a boolean");
  return true;
}

bool GetIndex(napi_env env, napi_value value, const char* name, int64_t* out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok) return ThrowType(env, std::string(name) + " must be a number");
  if (!(number >= 0 && number <= kMaxInt) || std::floor(number) != number) {
    return ThrowRange(env, std::string(name) + " must be an integer in [0, " + std::to_string(static_cast<int64_t>(kMaxInt)) + "], got " + std::to_string(number));
  }
  *out = static_cast<int64_t>(number);
  return true;
}

struct Array {
  float* data = nullptr;
  int64_t length = 0;
};

bool GetFloat32(napi_env env, napi_value value, const char* name, Array* out) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
    return ThrowType(env, std::string(name) + " must be a Float32Array");
  }
  out->data = static_cast<float*>(raw);
  out->length = static_cast<int64_t>(length);
  return true;
}

/** A stored rows×cols row-major matrix at `offset` with row stride `ld` inside `array`: checks ld and the extent. */
struct Region {
  const char* name;
  Array array;
  int64_t offset;
  int64_t ld;
  int64_t rows;
  int64_t cols;
  /** One past the last element used (== offset when the region is empty). */
  int64_t End() const { return rows == 0 || cols == 0 ? offset : offset + (rows - 1) * ld + cols; }
};

bool CheckRegion(napi_env env, const Region& region, const char* ld_name) {
  if (region.ld < (region.cols > 1 ? region.cols : 1)) {
    return ThrowRange(env, std::string(ld_name) + " (" + std::to_string(region.ld) + ") must be at least max(1, " + std::to_string(region.cols) +
                               "), the row length of " + region.name + " as stored");
  }
  if (region.End() > region.array.length) {
    return ThrowRange(env, std::string(region.name) + " needs elements [" + std::to_string(region.offset) + ", " + std::to_string(region.End()) +
                               ") of its Float32Array (" + std::to_string(region.rows) + " rows × " + std::to_string(region.cols) + " with stride " +
                               std::to_string(region.ld) + "), but the array has " + std::to_string(region.array.length) + " elements");
  }
  return true;
}

bool Overlap(const Region& x, const Region& y) {
  if (x.End() == x.offset || y.End() == y.offset) return false;
  const uintptr_t x0 = reinterpret_cast<uintptr_t>(x.array.data + x.offset), x1 = reinterpret_cast<uintptr_t>(x.array.data + x.End());
  const uintptr_t y0 = reinterpret_cast<uintptr_t>(y.array.data + y.offset), y1 = reinterpret_cast<uintptr_t>(y.array.data + y.End());
  return x0 < y1 && y0 < x1;
}

bool GetLevel(napi_env env, napi_value value, int* level) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (type == napi_undefined) {
    *level = BestLevel();
    return true;
  }
  char name[16] = {0};
  size_t length = 0;
  if (type != napi_string || napi_get_value_string_utf8(env, value, name, sizeof(name), &length) != napi_ok) {
    return ThrowType(env, "simd must be 'avx2', 'scalar' or undefined");
  }
  for (int candidate = kScalar; candidate <= BestLevel(); ++candidate) {
    if (std::strcmp(name, kLevelNames[candidate]) == 0) {
      *level = candidate;
      return true;
    }
  }
  return ThrowRange(env, std::string("simd '") + name + "' is not supported by this CPU (best: " + kLevelNames[BestLevel()] + ")");
}

napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (argc < 14) {
    ThrowType(env, "expected (transA, transB, M, N, K, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc[, simd]), got " + std::to_string(argc) + " arguments");
    return nullptr;
  }
  bool trans_a, trans_b;
  int64_t m, n, k, a_offset, lda, b_offset, ldb, c_offset, ldc;
  Array a, b, c;
  int level = kScalar;
  if (!GetBool(env, argv[0], "transA", &trans_a) || !GetBool(env, argv[1], "transB", &trans_b) || !GetIndex(env, argv[2], "M", &m) ||
      !GetIndex(env, argv[3], "N", &n) || !GetIndex(env, argv[4], "K", &k) || !GetFloat32(env, argv[5], "a", &a) ||
      !GetIndex(env, argv[6], "aOffset", &a_offset) || !GetIndex(env, argv[7], "lda", &lda) || !GetFloat32(env, argv[8], "b", &b) ||
      !GetIndex(env, argv[9], "bOffset", &b_offset) || !GetIndex(env, argv[10], "ldb", &ldb) || !GetFloat32(env, argv[11], "c", &c) ||
      !GetIndex(env, argv[12], "cOffset", &c_offset) || !GetIndex(env, argv[13], "ldc", &ldc)) {
    return nullptr;
  }
  napi_value simd = nullptr;
  if (argc >= 15) {
    simd = argv[14];
  } else {
    napi_get_undefined(env, &simd);
  }
  if (!GetLevel(env, simd, &level)) return nullptr;
  // As stored: A is M×K (K×M when transposed), B is K×N (N×K when transposed), C is M×N.
  const Region region_a{"A", a, a_offset, lda, trans_a ? k : m, trans_a ? m : k};
  const Region region_b{"B", b, b_offset, ldb, trans_b ? n : k, trans_b ? k : n};
  const Region region_c{"C", c, c_offset, ldc, m, n};
  if (!CheckRegion(env, region_a, "lda") || !CheckRegion(env, region_b, "ldb") || !CheckRegion(env, region_c, "ldc")) return nullptr;
  if (k > 0 && (Overlap(region_c, region_a) || Overlap(region_c, region_b))) {
    ThrowRange(env, "C overlaps A or B in memory; the output must be a separate buffer");
    return nullptr;
  }
  if (!realm_gemm::Sgemm(level, trans_a, trans_b, m, n, k, a.data + a_offset, lda, b.data + b_offset, ldb, c.data + c_offset, ldc)) {
    napi_throw_error(env, kErrorCode, "sgemm: out of memory for the packing buffers");
  }
  return nullptr;
}

napi_value SimdLevels(napi_env env, napi_callback_info /*info*/) {
  napi_value array;
  napi_create_array(env, &array);
  uint32_t i = 0;
  for (int level = BestLevel(); level >= kScalar; --level) {
    napi_value name;
    napi_create_string_utf8(env, kLevelNames[level], NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, array, i++, name);
  }
  return array;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"simdLevels", nullptr, SimdLevels, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace
}  // namespace realm_gemm

NAPI_MODULE(NODE_GYP_MODULE_NAME, realm_gemm::Init)
