// @realm/mips: exact maximum inner product search for REALM's document index. Re-exports only.
export type { MipsIndex, SearchResult } from './types.js';
export { ExactMipsIndex } from './exact-index.js';
export { ExactMipsOptionsSchema, type ExactMipsOptions, type ExactMipsOptionsInput } from './config.js';
export { MIPS_FORMAT_MAGIC, MIPS_FORMAT_VERSION, MIPS_HEADER_BYTES, decodeIndex, encodeIndex, type DecodedIndex, type MipsDtype } from './format.js';
export { shutdownMipsWorkers } from './worker-pool.js';
export { measureSearchThroughput, type SearchThroughput } from './timing.js';
export { BLOCK_EMB_VARIABLE, loadBlockEmb, saveBlockEmb, refreshIndexFromCheckpoint, type BlockEmbeddings } from './block-emb.js';
export { float32ToBfloat16, bfloat16ToFloat32 } from './bfloat16.js';
export type { StorageDtype } from './chunked-matrix.js';
