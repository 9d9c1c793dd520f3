// @realm/backend: picks the TensorFlow.js backend for realm-ts apps and registers realm-ts's faster
// wasm kernels. Only apps import this package; libraries stay backend-agnostic.
export { BACKEND_NAMES, selectBackend, wasmBinaryDirectory, type BackendAttempt, type BackendName, type SelectBackendOptions, type SelectedBackend } from './select-backend.js';
export { REALM_WASM_KERNELS, realmWasmKernelsRegistered, registerRealmWasmKernels, unregisterRealmWasmKernels } from './kernels/register.js';
export { realmBatchMatMul } from './kernels/batch-matmul.js';
export { NATIVE_GEMM_ENV_VAR, nativeGemmActive, nativeGemmAvailable, nativeGemmSimd, nativeGemmStatus, setNativeGemmEnabled, type NativeGemmSimd } from './kernels/native-gemm.js';
export { realmUnsortedSegmentSum } from './kernels/unsorted-segment-sum.js';
export { ensureGradients, gradientsRegistered } from './gradients.js';
