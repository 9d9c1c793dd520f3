# node-gyp build of @realm/backend's native GEMM (run by native/build.mjs at install).
# No -march: the AVX2+FMA micro-kernel is compiled per function with __attribute__((target(...)))
# and chosen at run time, so one binary runs on any x86-64 (and the portable kernel elsewhere).
{
  "targets": [
    {
      "target_name": "realm_backend_gemm",
      "sources": ["src/gemm.cc", "src/sgemm.cc"],
      "cflags_cc": ["-O3", "-std=gnu++17"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17"] }
    }
  ]
}
