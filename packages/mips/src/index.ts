// @realm/mips: exact maximum inner product search for REALM's document index. Re-exports only.
export type { MipsIndex, SearchResult } from './types.js';
export { ExactMipsIndex, type MipsKernelName } from './exact-index.js';
export { NATIVE_ENV_VAR, NATIVE_SIMD_LEVELS, SIMD_ENV_VAR, nativeKernelAvailable, nativeKernelStatus, nativeSimdLevels, type NativeSimdLevel } from './native-kernel.js';
export { ExactMipsOptionsSchema, type ExactMipsOptions, type ExactMipsOptionsInput } from './config.js';
export { MIPS_FORMAT_MAGIC, MIPS_FORMAT_VERSION, MIPS_HEADER_BYTES, decodeIndex, encodeIndex, type DecodedIndex, type MipsDtype } from './format.js';
export { shutdownMipsWorkers } from './worker-pool.js';
export { measureSearchThroughput, type SearchThroughput } from './timing.js';
export { BLOCK_EMB_VARIABLE, loadBlockEmb, saveBlockEmb, refreshIndexFromCheckpoint, type BlockEmbeddings } from './block-emb.js';
export { float32ToBfloat16, bfloat16ToFloat32 } from './bfloat16.js';
export type { StorageDtype } from './chunked-matrix.js';
export { ShardedMipsIndex, type LocalMipsShard, type MipsShard } from './sharded-index.js';
export { MipsShardServer, MipsShardServerOptionsSchema, type MipsShardServerOptions, type MipsShardServerOptionsInput } from './shard-server.js';
export { RemoteMipsShard, RemoteMipsShardOptionsSchema, type RemoteMipsShardOptions, type RemoteMipsShardOptionsInput, type RemoteSearchResult, type ShardInfo } from './remote-shard.js';
export { MIPS_SHARD_PROTO, MIPS_SHARD_SERVICE } from './shard-proto.js';
export { saveIndex, loadIndex, type IndexFileIo } from './index-file.js';
export { STORAGE_DTYPES, type RowData } from './storage.js';
export { FLOAT16_LIMIT, float32ToFloat16, float16ToFloat32 } from './float16.js';
export { quantizeInt8Rows, dequantizeInt8Rows, type Int8Rows } from './int8.js';
