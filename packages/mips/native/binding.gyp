# node-gyp build of @realm/mips's native exact-search kernel (run by native/build.mjs at install).
# No -march: each SIMD level is compiled per function with __attribute__((target(...))) and
# chosen at run time, so one binary runs on any x86-64 (and the portable level elsewhere).
{
  "targets": [
    {
      "target_name": "realm_mips",
      "sources": ["src/addon.cc", "src/kernel_scalar.cc", "src/kernel_avx2.cc", "src/kernel_avx512.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"] }
    }
  ]
}
