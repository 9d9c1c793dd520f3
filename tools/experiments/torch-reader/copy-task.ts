// The synthetic one-hop reading task of tools/experiments/reader-copy.ts as a reusable example
// builder: query "[CLS] 5 r [MASK] 6 [SEP]", gold body of `body` fillers (20..149) holding one
// answer per type (150..V-1 split into `types` ranges); relation 10+type says which is asked.
import { featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, type RealmExample, type RealmExampleDims } from '@realm/data';
import { randomInt, type Rng } from '@realm/tokenizer';

/** Special ids the task uses ([PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4). */
export const COPY_TASK_SPECIAL_IDS = Object.freeze({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });

export interface CopyTaskShape {
  vocab: number;
  body: number;
  types: number;
}

/** One example drawn exactly as reader-copy.ts draws it (same rng consumption order). */
export function copyTaskExample(task: CopyTaskShape, dims: RealmExampleDims, rng: Rng): RealmExample {
  const perType = Math.floor((task.vocab - 150) / task.types);
  const body = Array.from({ length: task.body }, () => 20 + randomInt(rng, 130));
  const slots: number[] = [];
  while (slots.length < task.types) {
    const slot = 1 + randomInt(rng, task.body - 2);
    if (!slots.includes(slot)) slots.push(slot);
  }
  const answers = slots.map((slot, type) => (body[slot] = 150 + type * perType + randomInt(rng, perType)));
  const asked = randomInt(rng, task.types);
  const relation = task.types === 1 ? 10 + randomInt(rng, 5) : 10 + asked;
  return featurizeRealmExample(
    { maskedIds: [5, relation, 4, 6], mlmPositions: [3], mlmTargets: [answers[asked]], mlmWeights: [1] },
    [NULL_CANDIDATE_DOCUMENT, { titleIds: [7], bodyIds: body }],
    COPY_TASK_SPECIAL_IDS,
    dims,
    0,
  );
}
