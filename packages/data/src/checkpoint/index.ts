// TensorFlow checkpoints (tensor bundle format): reader, writer and the SSTable/proto codecs below them.
// Explicit re-exports keep low-level helpers (varints, byte comparison) out of @realm/data's namespace.
export {
  DTYPE_ENUM, dtypeFromEnum, elementByteSize, numElements, bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16,
  type TfDtype, type NumericValues, type TensorValues,
} from './dtypes.js';
export {
  decodeBundleHeader, decodeBundleEntry, encodeBundleHeader, encodeBundleEntry, formatSlice,
  type BundleHeader, type BundleEntry, type SliceExtent,
} from './bundle-proto.js';
export { readTable, type TableEntry, type TableLayout, type BlockHandle } from './sstable-reader.js';
export { buildTable, TableWriterOptionsSchema, type TableWriterOptions } from './sstable-writer.js';
export { stringsFromBytes } from './string-tensor.js';
export {
  CheckpointReader, checkpointPrefixCandidates, dataShardPath, TENSOR_BUNDLE_VERSION,
  type CheckpointEntry, type CheckpointTensor,
} from './bundle-reader.js';
export {
  writeCheckpoint, encodeBundleIndex, CheckpointWriterOptionsSchema,
  type TensorToWrite, type CheckpointWriterOptions, type WrittenCheckpoint,
} from './bundle-writer.js';
export {
  formatFloat32, formatShape, formatCheckpointTable, checkpointEntriesToJson, tensorValueLiterals, tensorToJson, tensorToText,
} from './format.js';
