// The built-in world: a seeded generator of a small synthetic knowledge world, the default data of
// every realm-ts app and demo. Not a port; it plays the role of Wikipedia (knowledge corpus Z),
// REALM's salient-span pre-training corpus (X) and NQ-open (QA) at a size that trains on 2 CPUs.
//
// What it contains, and why:
// - Knowledge corpus: one short encyclopedia-style document per invented entity (~400 people,
//   ~32 cities, ~24 organisations at scale 1). A person's document states birth year, birth city,
//   occupation, employer and sometimes a mentor; a city's its country and population; an
//   organisation's its founding year, headquarters city and employee count. Names are built from
//   syllables and unique word by word, so a name identifies one entity.
// - Pre-training sentences: each fact restated on its own, by a template other than the one its
//   document used, with the value marked as the salient span (DATE/PLACE/ORG/PERSON/NUMBER/
//   OCCUPATION) exactly as REALM's records mark spans. Only the value is marked, so masking always
//   hides the fact and the model must recall or retrieve it.
// - QA: one NQ-open question per fact whose answer is the value, verbatim in the document body.
// - Held-out facts (20%, stratified per relation) are stated ONLY in the knowledge corpus. Their
//   sentences form the 'heldout' pre-training split (masked accuracy with retrieval vs with the null
//   document) and their questions form QA dev and test; training sentences and QA train come only
//   from the other facts. Dev is held out too, so model selection measures the same thing as test.
// - The first-token lesson: a prototype whose document sentences all began with the person's name
//   taught the retriever to match only the first token. Here every relation has several templates
//   for documents, pre-training sentences and questions; names stand fronted, inside ("In 1843, X
//   was born in Y", "Y-born X ...") or are replaced by pronouns after a document's first sentence.
import { createRng, randomInt, shuffleInPlace, type Rng } from '@realm/tokenizer';
import { parseWorldConfig, worldSizes, type WorldConfig, type WorldConfigInput } from './config.js';
import { composeDocument } from './documents.js';
import { buildEntities, OCCUPATIONS, ORGANISATION_SUFFIXES } from './entities.js';
import { UniqueNamer } from './names.js';
import { renderTemplate } from './render.js';
import { questionTemplates, singleFactTemplates, templateWords } from './templates.js';
import {
  RELATION_LABELS,
  type Relation,
  type World,
  type WorldDocument,
  type WorldEntity,
  type WorldFact,
  type WorldPretrainRecord,
  type WorldQaExample,
} from './types.js';

/** Words no invented name may equal: template words, occupations, organisation suffixes. */
function reservedWords(): Set<string> {
  const reserved = templateWords();
  for (const word of [...OCCUPATIONS, ...ORGANISATION_SUFFIXES].join(' ').toLowerCase().split(' ')) reserved.add(word);
  return reserved;
}

/** Marks `heldoutFraction` of each relation's facts as held out; returns the held-out ids, shuffled. */
function chooseHeldout(facts: WorldFact[], heldoutFraction: number, rng: Rng): number[] {
  const byRelation = new Map<Relation, number[]>();
  for (const fact of facts) {
    const ids = byRelation.get(fact.relation) ?? [];
    ids.push(fact.id);
    byRelation.set(fact.relation, ids);
  }
  const heldout: number[] = [];
  for (const ids of byRelation.values()) {
    heldout.push(...shuffleInPlace(rng, ids).slice(0, Math.round(ids.length * heldoutFraction)));
  }
  return shuffleInPlace(rng, heldout);
}

/** Restates every fact with the value as salient span; records land in their split, shuffled. */
function restateFacts(world: World, config: WorldConfig, rng: Rng): void {
  for (const fact of world.facts) {
    const pool = singleFactTemplates(fact.subjectKind, fact.relation);
    const others = pool.filter((t) => t.id !== fact.docTemplateId);
    const chosen = shuffleInPlace(rng, others.length > 0 ? others : pool);
    for (let k = 0; k < config.restatementsPerFact; k++) {
      const template = chosen[k % chosen.length];
      const rendered = renderTemplate(template.pattern, fact.subject, { [fact.relation]: fact.value });
      const span = rendered.valueSpans[fact.relation] as { start: number; end: number };
      world.pretrain[fact.pretrainSplit].push({
        title: fact.subject,
        text: rendered.text,
        sentences: [{ start: 0, end: rendered.text.length }],
        spans: [{ start: span.start, end: span.end, label: fact.label }],
        factId: fact.id,
        sourceDocIndex: fact.docIndex,
        split: fact.pretrainSplit,
        templateId: template.id,
      });
    }
  }
  for (const split of ['train', 'heldout'] as const) {
    shuffleInPlace(rng, world.pretrain[split]).forEach((record: WorldPretrainRecord, index) => {
      world.facts[record.factId].pretrainIndices.push(index);
    });
  }
}

/** Asks one question per fact; questions land in the fact's QA split, shuffled. */
function askQuestions(world: World, rng: Rng): void {
  for (const fact of world.facts) {
    const templates = questionTemplates(fact.relation);
    const template = templates[randomInt(rng, templates.length)];
    const question = renderTemplate(template.pattern, fact.subject, {}).text;
    world.qa[fact.qaSplit].push({ question, answer: [fact.value], factId: fact.id, templateId: template.id });
  }
  for (const split of ['train', 'dev', 'test'] as const) {
    shuffleInPlace(rng, world.qa[split]).forEach((example: WorldQaExample, index) => {
      world.facts[example.factId].qaIndex = index;
    });
  }
}

/**
 * Generates the world. Deterministic: the same config (seed) gives a deep-equal world. Pass `rng`
 * to draw from your own generator instead of `createRng(config.seed)`.
 */
export function generateWorld(input: WorldConfigInput = {}, rng?: Rng): World {
  const config = parseWorldConfig(input);
  const random = rng ?? createRng(config.seed);
  const namer = new UniqueNamer(random, reservedWords());
  const records = buildEntities(worldSizes(config), config.mentorFraction, namer, random);

  const documents: WorldDocument[] = [];
  const entities: WorldEntity[] = [];
  const facts: WorldFact[] = [];
  for (const record of records) {
    const composed = composeDocument(record, random);
    const docIndex = documents.length;
    documents.push(composed.document);
    entities.push({ kind: record.kind, name: record.name, pronoun: record.pronoun, docIndex });
    record.facts.forEach((fact, i) => {
      const statement = composed.statements[i];
      facts.push({
        id: facts.length,
        relation: fact.relation,
        subject: record.name,
        subjectKind: record.kind,
        value: fact.value,
        label: RELATION_LABELS[fact.relation],
        heldout: false,
        docIndex,
        docSentenceIndex: statement.sentenceIndex,
        docValueSpan: { ...statement.valueSpan, label: RELATION_LABELS[fact.relation] },
        docTemplateId: statement.templateId,
        pretrainSplit: 'train',
        pretrainIndices: [],
        qaSplit: 'train',
        qaIndex: -1,
      });
    });
  }

  const heldout = chooseHeldout(facts, config.heldoutFraction, random);
  const devCount = Math.round(heldout.length * config.devFraction);
  heldout.forEach((id, i) => {
    facts[id].heldout = true;
    facts[id].pretrainSplit = 'heldout';
    facts[id].qaSplit = i < devCount ? 'dev' : 'test';
  });

  const world: World = { config, documents, entities, facts, pretrain: { train: [], heldout: [] }, qa: { train: [], dev: [], test: [] } };
  restateFacts(world, config, random);
  askQuestions(world, random);
  return world;
}
