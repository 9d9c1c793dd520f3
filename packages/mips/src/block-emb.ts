// TF-checkpoint interop for REALM's document index: the `block_emb` [num_docs, 128] float32 variable
// that refresh_doc_embeds.py / ORQA's encode_blocks.py write to encoded.ckpt and that the example
// generators read with tf.train.load_checkpoint(...).get_tensor("block_emb") (realm/retrieval.py).
// @realm/data is imported lazily so that @realm/mips itself loads without it.
import type { MipsIndex } from './types.js';

/** The variable name REALM and ORQA use for the document embeddings. */
export const BLOCK_EMB_VARIABLE = 'block_emb';

export interface BlockEmbeddings {
  /** Row-major [rows, dim] float32. */
  readonly vectors: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/**
 * Reads `variable` (default block_emb) from the checkpoint at `prefix` (PREFIX, PREFIX.index or a
 * directory, as @realm/data's CheckpointReader accepts). bfloat16/float16 are widened exactly.
 */
export async function loadBlockEmb(prefix: string, variable = BLOCK_EMB_VARIABLE): Promise<BlockEmbeddings> {
  const { CheckpointReader } = await import('@realm/data');
  const reader = await CheckpointReader.open(prefix);
  try {
    if (!reader.has(variable)) {
      throw new Error(`checkpoint ${prefix}: no variable "${variable}" (it holds ${reader.list().map((e) => e.name).join(', ') || 'nothing'})`);
    }
    const entry = reader.entry(variable);
    if (entry.shape.length !== 2) throw new Error(`checkpoint ${prefix}: "${variable}" has shape [${entry.shape.join(', ')}], expected [rows, dim]`);
    const [rows, dim] = entry.shape;
    const vectors = await reader.readFloat32(variable);
    return { vectors, rows, dim };
  } finally {
    await reader.close();
  }
}

/** Writes `vectors` (row-major, `dim` wide) as a float32 [rows, dim] variable into PREFIX.index/.data-00000-of-00001. */
export async function saveBlockEmb(prefix: string, vectors: Float32Array, dim: number, variable = BLOCK_EMB_VARIABLE): Promise<void> {
  if (!Number.isInteger(dim) || dim <= 0 || vectors.length % dim !== 0) {
    throw new Error(`saveBlockEmb: vectors has ${vectors.length} values, which is not a multiple of dim ${dim}`);
  }
  const { writeCheckpoint } = await import('@realm/data');
  await writeCheckpoint(prefix, { [variable]: { dtype: 'float32', shape: [vectors.length / dim, dim], data: vectors } });
}

/** Reads block_emb into `index` with `replaceAll` (the index refresh step); checks the dimension. */
export async function refreshIndexFromCheckpoint(index: MipsIndex, prefix: string, variable = BLOCK_EMB_VARIABLE): Promise<number> {
  const { vectors, rows, dim } = await loadBlockEmb(prefix, variable);
  if (dim !== index.dim) throw new Error(`checkpoint ${prefix}: "${variable}" has dim ${dim}, but the index has dim ${index.dim}`);
  index.replaceAll(vectors);
  return rows;
}
