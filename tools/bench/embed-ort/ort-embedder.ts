// Runs an exported ONNX embedder (export-onnx.ts) in onnxruntime-node on the CPU, with the same
// flat row-major inputs the refresher feeds @realm/model's embedDocumentBatches.
import * as ort from 'onnxruntime-node';
import { ONNX_EMBEDDER_INPUTS, ONNX_EMBEDDER_OUTPUT } from './export-onnx.js';

/** One batch of documents, row-major [batch, seqLen] int32 (as @realm/data's BertInputs). */
export interface FlatInputs {
  tokenIds: Int32Array;
  mask: Int32Array;
  segmentIds: Int32Array;
}

/** An ORT session over one embedder model. */
export class OrtEmbedder {
  private constructor(private readonly session: ort.InferenceSession, readonly intraOpThreads: number) {}

  /**
   * Loads ONNX `bytes` with `intraOpThreads` compute threads (inter-op 1, sequential: the graph is a
   * chain, so only intra-op parallelism helps) and every graph optimization on. `spinning: false`
   * stops idle pool threads from busy-waiting between ops (ORT spins by default), which matters when
   * the refresher shares the cores with the trainer.
   */
  static async create(bytes: Uint8Array, intraOpThreads: number, options: { spinning?: boolean } = {}): Promise<OrtEmbedder> {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // flattened by onnxruntime-common to the session config key session.intra_op.allow_spinning
      extra: { session: { intra_op: { allow_spinning: options.spinning ?? true ? '1' : '0' } } },
    });
    return new OrtEmbedder(session, intraOpThreads);
  }

  /** Embeds `batch` documents of `seqLen` tokens: [batch, P] row-major. */
  async embed(inputs: FlatInputs, batch: number, seqLen: number): Promise<Float32Array> {
    const dims = [batch, seqLen];
    const [ids, mask, types] = ONNX_EMBEDDER_INPUTS;
    const feeds = {
      [ids]: new ort.Tensor('int32', inputs.tokenIds, dims),
      [mask]: new ort.Tensor('int32', inputs.mask, dims),
      [types]: new ort.Tensor('int32', inputs.segmentIds, dims),
    };
    const results = await this.session.run(feeds);
    const output = results[ONNX_EMBEDDER_OUTPUT];
    if (!output || output.type !== 'float32') throw new Error(`ORT embedder: no float32 output "${ONNX_EMBEDDER_OUTPUT}"`);
    return output.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
