// Shapes of the built-in synthetic world (see generate.ts): entities, facts, documents,
// REALM-style pre-training records and NQ-open-style QA examples.
import type { CharSpan } from '@realm/tokenizer';
import type { WorldConfig } from './config.js';

/** What a document is about. Countries are only values (a city's country); they get no document. */
export type EntityKind = 'person' | 'place' | 'organisation';

/** Salient-span labels, as REALM's `span_type` (REALM itself ignores them). */
export type SpanLabel = 'PERSON' | 'PLACE' | 'ORG' | 'DATE' | 'NUMBER' | 'OCCUPATION';

/** Every relation the world states. Each fact is (subject, relation, value). */
export type Relation =
  | 'birth_year'
  | 'birth_place'
  | 'occupation'
  | 'employer'
  | 'mentor'
  | 'country'
  | 'population'
  | 'founded'
  | 'headquarters'
  | 'employees';

/** The label of each relation's value. */
export const RELATION_LABELS: Readonly<Record<Relation, SpanLabel>> = Object.freeze({
  birth_year: 'DATE',
  birth_place: 'PLACE',
  occupation: 'OCCUPATION',
  employer: 'ORG',
  mentor: 'PERSON',
  country: 'PLACE',
  population: 'NUMBER',
  founded: 'DATE',
  headquarters: 'PLACE',
  employees: 'NUMBER',
});

/** Which pronoun stands for the subject in pronoun-led document sentences. */
export type Pronoun = 'he' | 'she' | 'it';

/** One invented entity with its own document. */
export interface WorldEntity {
  kind: EntityKind;
  /** Unique, pronounceable invented name; also the title of its document. */
  name: string;
  pronoun: Pronoun;
  /** Index of its document in `World.documents`. */
  docIndex: number;
}

/** A retrieval-corpus document, in REALM's retrieval-corpus JSONL shape. */
export interface WorldDocument {
  title: string;
  body: string;
}

export type PretrainSplit = 'train' | 'heldout';
export type QaSplit = 'train' | 'dev' | 'test';

/** One (subject, relation, value) triple and everywhere it is stated. */
export interface WorldFact {
  /** Its index in `World.facts`. */
  id: number;
  relation: Relation;
  subject: string;
  subjectKind: EntityKind;
  /** The answer string; it appears verbatim in the subject's document body. */
  value: string;
  label: SpanLabel;
  /** Held-out facts appear only in the knowledge corpus, never in training sentences/questions. */
  heldout: boolean;
  /** The subject's document. */
  docIndex: number;
  /** Which sentence of that document's body states the fact (sentences are joined by one space). */
  docSentenceIndex: number;
  /** Where the value stands in the document body, [start, end) in UTF-16 code units. */
  docValueSpan: CharSpan;
  /** Template used to state it in the document; pre-training restates it with other templates. */
  docTemplateId: string;
  pretrainSplit: PretrainSplit;
  /** Indices of its restatements in `World.pretrain[pretrainSplit]`. */
  pretrainIndices: number[];
  qaSplit: QaSplit;
  /** Index of its question in `World.qa[qaSplit]`. */
  qaIndex: number;
}

/**
 * One pre-training record, shaped like REALM's (title, text, sentence and salient spans) with
 * provenance. The text is one sentence restating one fact; its single span is the fact's value.
 */
export interface WorldPretrainRecord {
  title: string;
  text: string;
  sentences: CharSpan[];
  spans: CharSpan[];
  factId: number;
  sourceDocIndex: number;
  split: PretrainSplit;
  templateId: string;
}

/** An NQ-open-style question; `factId` and `templateId` are provenance and not written to disk. */
export interface WorldQaExample {
  question: string;
  answer: string[];
  factId: number;
  templateId: string;
}

export interface World {
  /** The parsed config it was generated from. */
  config: WorldConfig;
  documents: WorldDocument[];
  entities: WorldEntity[];
  facts: WorldFact[];
  pretrain: { train: WorldPretrainRecord[]; heldout: WorldPretrainRecord[] };
  qa: { train: WorldQaExample[]; dev: WorldQaExample[]; test: WorldQaExample[] };
}
