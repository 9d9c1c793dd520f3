// Runs in a clean project that installed the packed @realm/* tarballs (tools/pack-smoke/run.mjs):
// another project scores a query against candidate documents with @realm/model, and checks the
// REALM marginal loss against a plain-JS logsumexp.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BERT_PRESETS } from '@realm/bert';
import { computeRealmLoss, createRealmModel, embedDocumentBatches, embedQueries } from '@realm/model';

const fail = (message) => {
  console.error(`@realm/model smoke: ${message}`);
  process.exit(1);
};

await tf.setBackend('cpu');
let state = 7;
const rng = { next: () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) };
const seq = 8;
const model = createRealmModel({ embedder: BERT_PRESETS.test, reader: BERT_PRESETS.test, querySeqLen: seq, candidateSeqLen: seq, numCandidates: 3 }, rng);
const row = (ids) => {
  const tokenIds = Int32Array.from({ length: seq }, (_, i) => ids[i] ?? 0);
  return { tokenIds, mask: tokenIds.map((id) => (id === 0 ? 0 : 1)), segmentIds: new Int32Array(seq) };
};
const query = embedQueries(model, row([1, 11, 12, 13, 2]), 1, seq);
const docs = await embedDocumentBatches(model.documentEmbedder, [row([1, 11, 12, 2]), row([1, 40, 41, 2]), row([1, 50, 2])], { batchSize: 2, seqLen: seq });
const dim = query.length;
if (dim !== 128 || docs.length !== 3 * dim) fail(`unexpected embedding sizes ${query.length}, ${docs.length}`);
const scores = [0, 1, 2].map((d) => query.reduce((sum, q, i) => sum + q * docs[d * dim + i], 0));
if (!scores.every(Number.isFinite)) fail(`scores not finite: ${scores}`);

// Marginal loss on hand-sized logits: B=1, K=2 candidates, M=1 mask, V=2.
const before = tf.memory().numTensors;
const out = computeRealmLoss({
  retrievalScores: tf.tensor2d([[0, Math.log(3)]]),
  mlmLogits: tf.tensor4d([[[[0, 0]], [[Math.log(3), 0]]]]),
  mlmTargets: tf.tensor2d([[0]], undefined, 'int32'),
  mlmMask: tf.tensor2d([[1]]),
});
// p(z) = [1/4, 3/4]; p(y=0|z) = [1/2, 3/4] → marginal 1/8 + 9/16 = 11/16 → loss = -log(11/16)
const loss = out.loss.dataSync()[0];
if (Math.abs(loss - -Math.log(11 / 16)) > 1e-5) fail(`loss ${loss} != ${-Math.log(11 / 16)}`);
console.log(`@realm/model resolved from ${import.meta.resolve('@realm/model')}`);
console.log(`@realm/model smoke: OK (scores ${scores.map((s) => s.toFixed(3)).join(', ')}; loss ${loss.toFixed(6)}; ${tf.memory().numTensors - before} tensors held by outputs)`);
