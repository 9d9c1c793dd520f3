// N-API entry points of @realm/mips's native exact-search kernel (plain node_api.h, no
// node-addon-api): search / searchAsync score a batch of queries against float32 row chunks with
// the best SIMD level of this CPU, split across std::threads, and return the merged top-k
// (faiss IndexFlatIP::search layout). Validation, NaN policy and fallbacks live in TypeScript.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"
#include "topk.h"

namespace realm_mips {
namespace {

const char* const kLevelNames[] = {"scalar", "avx2", "avx512"};

int BestLevel() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // libgcc's detection also checks that the OS saves the ymm/zmm state (XGETBV).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) {
    return kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2;
#endif
  return kScalar;
}

ScanFn ScanFor(int level) {
#if defined(__x86_64__) || defined(__i386__)
  if (level == kAvx512) return ScanAvx512;
  if (level == kAvx2) return ScanAvx2;
#endif
  return ScanScalar;
}

/** Everything one search needs; outlives the JS call in the async case. */
struct Search {
  std::vector<float> query_copy;  // async only: the queries, owned
  const float* queries = nullptr;
  int num_queries = 0;
  int dim = 0;
  int k = 0;
  int threads = 1;
  int level = kScalar;
  std::vector<RowSpan> spans;
  std::vector<float> out_scores;
  std::vector<int32_t> out_ids;
  // async only
  std::vector<napi_ref> refs;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
};

/** The spans covering global row positions [lo, hi) of the concatenated spans. */
std::vector<RowSpan> Slice(const std::vector<RowSpan>& spans, int64_t lo, int64_t hi, int dim) {
  std::vector<RowSpan> out;
  int64_t position = 0;
  for (const RowSpan& span : spans) {
    const int64_t start = std::max(lo, position);
    const int64_t end = std::min(hi, position + span.count);
    if (start < end) out.push_back({span.rows + (start - position) * dim, end - start, span.first_id + (start - position)});
    position += span.count;
  }
  return out;
}

/** Runs the scan on `threads` row ranges and merges their heaps into sorted, padded results. */
void Run(Search& search) {
  int64_t total = 0;
  for (const RowSpan& span : search.spans) total += span.count;
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(search.threads, total)));
  const ScanFn scan = ScanFor(search.level);
  std::vector<TopKHeaps> heaps;
  heaps.reserve(threads);
  for (int t = 0; t < threads; ++t) heaps.emplace_back(search.num_queries, search.k);
  std::vector<std::vector<RowSpan>> parts(threads);
  const int64_t per = (total + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) parts[t] = Slice(search.spans, t * per, std::min(total, (t + 1) * per), search.dim);
  auto work = [&](int t) { scan(search.queries, search.num_queries, search.dim, parts[t].data(), static_cast<int>(parts[t].size()), heaps[t]); };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(work, t);
  work(0);
  for (std::thread& helper : helpers) helper.join();

  const int k = search.k;
  search.out_scores.assign(static_cast<size_t>(search.num_queries) * k, -INFINITY);
  search.out_ids.assign(static_cast<size_t>(search.num_queries) * k, -1);
  std::vector<std::pair<float, int32_t>> candidates;
  for (int q = 0; q < search.num_queries; ++q) {
    candidates.clear();
    for (const TopKHeaps& h : heaps) {
      for (int i = 0; i < h.size(q); ++i) candidates.emplace_back(h.scores(q)[i], h.ids(q)[i]);
    }
    const size_t keep = std::min(candidates.size(), static_cast<size_t>(k));
    std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                      [](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) { return Worse(b.first, b.second, a.first, a.second); });
    for (size_t i = 0; i < keep; ++i) {
      search.out_scores[static_cast<size_t>(q) * k + i] = candidates[i].first;
      search.out_ids[static_cast<size_t>(q) * k + i] = candidates[i].second;
    }
  }
}

#define CHECK_NAPI(env, call)                                   \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), nullptr, "napi call failed: " #call); \
      return false;                                             \
    }                                                           \
  } while (0)

bool Fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_REALM_MIPS_NATIVE", message.c_str());
  return false;
}

bool GetInt(napi_env env, napi_value value, const char* name, int64_t min, int64_t max, int64_t* out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || number != static_cast<double>(static_cast<int64_t>(number)) || number < min || number > max) {
    return Fail(env, std::string("native search: ") + name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = static_cast<int64_t>(number);
  return true;
}

/** Float32Array data pointer and length; `ref` (if given) keeps it alive for async work. */
bool GetFloat32(napi_env env, napi_value value, const char* name, const float** data, size_t* length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return Fail(env, std::string("native search: ") + name + " must be a Float32Array");
  napi_typedarray_type type;
  void* raw = nullptr;
  CHECK_NAPI(env, napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr));
  if (type != napi_float32_array) return Fail(env, std::string("native search: ") + name + " must be a Float32Array");
  *data = static_cast<const float*>(raw);
  return true;
}

/** Parses (queries, dim, k, chunks[], idOffsets[], threads, level) into `search`. */
bool Parse(napi_env env, napi_callback_info info, Search& search, bool keep_alive) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 7) return Fail(env, "native search: expected (queries, dim, k, chunks, idOffsets, threads, level)");
  int64_t dim, k, threads, level;
  if (!GetInt(env, argv[1], "dim", 1, 1 << 20, &dim) || !GetInt(env, argv[2], "k", 1, INT32_MAX, &k) ||
      !GetInt(env, argv[5], "threads", 1, 1024, &threads) || !GetInt(env, argv[6], "level", kScalar, kAvx512, &level)) {
    return false;
  }
  if (level > BestLevel()) return Fail(env, std::string("native search: SIMD level ") + kLevelNames[level] + " is not supported by this CPU");
  size_t query_length;
  const float* queries;
  if (!GetFloat32(env, argv[0], "queries", &queries, &query_length)) return false;
  if (query_length % dim != 0) return Fail(env, "native search: queries length is not a multiple of dim");
  if (query_length / dim > INT32_MAX) return Fail(env, "native search: too many queries");
  search.dim = static_cast<int>(dim);
  search.k = static_cast<int>(k);
  search.threads = static_cast<int>(threads);
  search.level = static_cast<int>(level);
  search.num_queries = static_cast<int>(query_length / dim);
  if (keep_alive) {
    search.query_copy.assign(queries, queries + query_length);
    search.queries = search.query_copy.data();
  } else {
    search.queries = queries;
  }
  bool chunks_array = false, offsets_array = false;
  napi_is_array(env, argv[3], &chunks_array);
  napi_is_array(env, argv[4], &offsets_array);
  if (!chunks_array || !offsets_array) return Fail(env, "native search: chunks and idOffsets must be arrays");
  uint32_t num_chunks, num_offsets;
  CHECK_NAPI(env, napi_get_array_length(env, argv[3], &num_chunks));
  CHECK_NAPI(env, napi_get_array_length(env, argv[4], &num_offsets));
  if (num_chunks != num_offsets) return Fail(env, "native search: chunks and idOffsets differ in length");
  for (uint32_t i = 0; i < num_chunks; ++i) {
    napi_value chunk, offset;
    CHECK_NAPI(env, napi_get_element(env, argv[3], i, &chunk));
    CHECK_NAPI(env, napi_get_element(env, argv[4], i, &offset));
    const float* rows;
    size_t length;
    int64_t first_id;
    const std::string name = "chunks[" + std::to_string(i) + "]";
    if (!GetFloat32(env, chunk, name.c_str(), &rows, &length)) return false;
    if (length % dim != 0) return Fail(env, "native search: " + name + " length is not a multiple of dim");
    const int64_t count = static_cast<int64_t>(length / dim);
    if (!GetInt(env, offset, "idOffsets[i]", 0, INT32_MAX, &first_id)) return false;
    if (first_id + count - 1 > INT32_MAX) return Fail(env, "native search: " + name + " ids exceed int32");
    if (count == 0) continue;
    search.spans.push_back({rows, count, first_id});
    if (keep_alive) {
      napi_ref ref;
      CHECK_NAPI(env, napi_create_reference(env, chunk, 1, &ref));
      search.refs.push_back(ref);
    }
  }
  return true;
}

/** { scores: Float32Array, ids: Int32Array } from the finished search. */
napi_value Result(napi_env env, const Search& search) {
  const size_t count = search.out_scores.size();
  void* score_data;
  void* id_data;
  napi_value score_buffer, id_buffer, scores, ids, result;
  napi_create_arraybuffer(env, count * sizeof(float), &score_data, &score_buffer);
  napi_create_arraybuffer(env, count * sizeof(int32_t), &id_data, &id_buffer);
  if (count > 0) {
    std::memcpy(score_data, search.out_scores.data(), count * sizeof(float));
    std::memcpy(id_data, search.out_ids.data(), count * sizeof(int32_t));
  }
  napi_create_typedarray(env, napi_float32_array, count, score_buffer, 0, &scores);
  napi_create_typedarray(env, napi_int32_array, count, id_buffer, 0, &ids);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "scores", scores);
  napi_set_named_property(env, result, "ids", ids);
  return result;
}

napi_value SearchSync(napi_env env, napi_callback_info info) {
  Search search;
  if (!Parse(env, info, search, false)) return nullptr;
  Run(search);
  return Result(env, search);
}

void ExecuteAsync(napi_env, void* data) { Run(*static_cast<Search*>(data)); }

void CompleteAsync(napi_env env, napi_status status, void* data) {
  Search* search = static_cast<Search*>(data);
  if (status == napi_ok) {
    napi_resolve_deferred(env, search->deferred, Result(env, *search));
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "native search: async work was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, nullptr, message, &error);
    napi_reject_deferred(env, search->deferred, error);
  }
  for (napi_ref ref : search->refs) napi_delete_reference(env, ref);
  napi_delete_async_work(env, search->work);
  delete search;
}

napi_value SearchAsync(napi_env env, napi_callback_info info) {
  Search* search = new Search();
  if (!Parse(env, info, *search, true)) {
    for (napi_ref ref : search->refs) napi_delete_reference(env, ref);
    delete search;
    return nullptr;
  }
  napi_value promise, name;
  napi_create_promise(env, &search->deferred, &promise);
  napi_create_string_utf8(env, "realm_mips_search", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, ExecuteAsync, CompleteAsync, search, &search->work);
  napi_queue_async_work(env, search->work);
  return promise;
}

/** SIMD levels this CPU can run, best first (always ends with "scalar"). */
napi_value SimdLevels(napi_env env, napi_callback_info) {
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
      {"search", nullptr, SearchSync, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"searchAsync", nullptr, SearchAsync, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"simdLevels", nullptr, SimdLevels, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace
}  // namespace realm_mips

NAPI_MODULE(NODE_GYP_MODULE_NAME, realm_mips::Init)
