// The example a REALM example generator sends to the trainer (realm-spec.md §5.4).
// Ports language/realm/featurization.py + common/utils/nest_utils.py: the nested feature dict is
// flattened with tf.nest (dict keys sorted; BertInputs fields in the order token_ids, mask,
// segment_ids) and each leaf becomes a feature named by its decimal index.
import { z } from 'zod';
import type { TfExample } from '../tfrecord/example.js';
import { floatFeature, floatValues, int64Feature, int64Values } from '../tfrecord/features.js';

/** Sizes that fix every leaf's length; the launcher values are the defaults. */
export const RealmExampleDimsSchema = z
  .strictObject({
    querySeqLen: z.number().int().positive().default(96).describe('Query length Q (query_inputs).'),
    candidateSeqLen: z.number().int().positive().default(288).describe('Candidate length C (candidate_inputs).'),
    numCandidates: z.number().int().positive().default(8).describe('Candidates N per query, null document included.'),
    maxMasks: z.number().int().positive().default(10).describe('Masked positions M per query.'),
  })
  .readonly();
export type RealmExampleDims = z.infer<typeof RealmExampleDimsSchema>;

/** BERT inputs of one or more sequences, row-major. */
export interface BertInputs {
  tokenIds: Int32Array;
  mask: Int32Array;
  segmentIds: Int32Array;
}

/** One generator → trainer example; shapes in comments with the launcher values. */
export interface RealmExample {
  /** [N, C] = [8, 288] */
  candidateInputs: BertInputs;
  /** [N] float, all zeros in the reference (unused). */
  candidateLabels: Float32Array;
  /** Unix seconds of the export whose index produced the candidates; 0 for the initial index. */
  exportTimestamp: number;
  /** [N, Q + C] = [8, 384] */
  jointInputs: BertInputs;
  /** [M] 1 for real masks, 0 for padding. */
  mlmMask: Int32Array;
  /** [M] positions in query_inputs / joint_inputs (index in sentence + 1 for [CLS]). */
  mlmPositions: Int32Array;
  /** [M] original wordpiece ids. */
  mlmTargets: Int32Array;
  /** [Q] = [96] */
  queryInputs: BertInputs;
}

interface Leaf {
  get(example: RealmExample): Int32Array | Float32Array | number;
  length(dims: RealmExampleDims): number;
  kind: 'int64' | 'float';
}

const bert = (pick: (e: RealmExample) => BertInputs, length: (d: RealmExampleDims) => number): Leaf[] => [
  { get: (e) => pick(e).tokenIds, length, kind: 'int64' },
  { get: (e) => pick(e).mask, length, kind: 'int64' },
  { get: (e) => pick(e).segmentIds, length, kind: 'int64' },
];

// tf.nest order: candidate_inputs, candidate_labels, export_timestamp, joint_inputs, mlm_mask,
// mlm_positions, mlm_targets, query_inputs → keys "0".."13".
const LEAVES: Leaf[] = [
  ...bert((e) => e.candidateInputs, (d) => d.numCandidates * d.candidateSeqLen),
  { get: (e) => e.candidateLabels, length: (d) => d.numCandidates, kind: 'float' },
  { get: (e) => e.exportTimestamp, length: () => 1, kind: 'int64' },
  ...bert((e) => e.jointInputs, (d) => d.numCandidates * (d.querySeqLen + d.candidateSeqLen)),
  { get: (e) => e.mlmMask, length: (d) => d.maxMasks, kind: 'int64' },
  { get: (e) => e.mlmPositions, length: (d) => d.maxMasks, kind: 'int64' },
  { get: (e) => e.mlmTargets, length: (d) => d.maxMasks, kind: 'int64' },
  ...bert((e) => e.queryInputs, (d) => d.querySeqLen),
];
const LEAF_NAMES = [
  'candidate_inputs.token_ids', 'candidate_inputs.mask', 'candidate_inputs.segment_ids', 'candidate_labels',
  'export_timestamp', 'joint_inputs.token_ids', 'joint_inputs.mask', 'joint_inputs.segment_ids', 'mlm_mask',
  'mlm_positions', 'mlm_targets', 'query_inputs.token_ids', 'query_inputs.mask', 'query_inputs.segment_ids',
];

/** Flattens a RealmExample into the positional tf.Example; lengths are checked against `dims`. */
export function realmExampleToTfExample(example: RealmExample, dims: RealmExampleDims): TfExample {
  const out: TfExample = {};
  LEAVES.forEach((leaf, i) => {
    const value = leaf.get(example);
    const values = typeof value === 'number' ? [value] : value;
    if (values.length !== leaf.length(dims)) {
      throw new Error(`REALM example leaf "${i}" (${LEAF_NAMES[i]}) has ${values.length} values; dims require ${leaf.length(dims)}`);
    }
    out[String(i)] = leaf.kind === 'float' ? floatFeature(values) : int64Feature(Array.from(values));
  });
  return out;
}

/** Reads the positional tf.Example back, verifying every leaf's kind and length. */
export function realmExampleFromTfExample(example: TfExample, dims: RealmExampleDims): RealmExample {
  const leaf = (i: number): Int32Array | Float32Array => {
    const spec = LEAVES[i];
    const where = `REALM example leaf "${i}" (${LEAF_NAMES[i]})`;
    let values: Int32Array | Float32Array;
    try {
      values = spec.kind === 'float' ? floatValues(example, String(i)) : Int32Array.from(int64Values(example, String(i)), Number);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
    if (values.length !== spec.length(dims)) throw new Error(`${where} has ${values.length} values; dims require ${spec.length(dims)}`);
    return values;
  };
  const ints = (i: number) => leaf(i) as Int32Array;
  return {
    candidateInputs: { tokenIds: ints(0), mask: ints(1), segmentIds: ints(2) },
    candidateLabels: leaf(3) as Float32Array,
    exportTimestamp: ints(4)[0],
    jointInputs: { tokenIds: ints(5), mask: ints(6), segmentIds: ints(7) },
    mlmMask: ints(8),
    mlmPositions: ints(9),
    mlmTargets: ints(10),
    queryInputs: { tokenIds: ints(11), mask: ints(12), segmentIds: ints(13) },
  };
}
