// Counts that describe a generated world, written to world.json and printed by `realm world generate`.
import type { EntityKind, Relation, World } from './types.js';

export interface WorldStats {
  documents: number;
  entities: Record<EntityKind, number>;
  facts: number;
  heldoutFacts: number;
  /** Facts and held-out facts per relation. */
  relations: Partial<Record<Relation, { facts: number; heldout: number }>>;
  pretrain: { train: number; heldout: number };
  qa: { train: number; dev: number; test: number };
}

/** Counts documents, entities, facts (per relation) and the records of every split. */
export function worldStats(world: World): WorldStats {
  const entities: Record<EntityKind, number> = { person: 0, place: 0, organisation: 0 };
  for (const entity of world.entities) entities[entity.kind] += 1;
  const relations: WorldStats['relations'] = {};
  for (const fact of world.facts) {
    const counts = (relations[fact.relation] ??= { facts: 0, heldout: 0 });
    counts.facts += 1;
    if (fact.heldout) counts.heldout += 1;
  }
  return {
    documents: world.documents.length,
    entities,
    facts: world.facts.length,
    heldoutFacts: world.facts.filter((f) => f.heldout).length,
    relations,
    pretrain: { train: world.pretrain.train.length, heldout: world.pretrain.heldout.length },
    qa: { train: world.qa.train.length, dev: world.qa.dev.length, test: world.qa.test.length },
  };
}

/** One line of counts, e.g. for the CLI. */
export function formatWorldSummary(stats: WorldStats): string {
  return (
    `${stats.documents} documents (${stats.entities.person} people, ${stats.entities.place} places, ` +
    `${stats.entities.organisation} organisations), ${stats.facts} facts (${stats.heldoutFacts} held out), ` +
    `pretrain ${stats.pretrain.train} train / ${stats.pretrain.heldout} heldout, ` +
    `qa ${stats.qa.train} train / ${stats.qa.dev} dev / ${stats.qa.test} test`
  );
}
