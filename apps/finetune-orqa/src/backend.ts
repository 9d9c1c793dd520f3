// The tfjs backend for ORQA training and inference: the same choice as the pre-training programs
// (@realm/backend's wasm kernel set leaves out the buffer-sharing Identity that corrupted the span
// head's gradients, 2026-11-25).
export { setupTfjs as setupOrqaBackend } from '@realm/pretrain';
