// Writes one knowledge-corpus document per entity: its facts in shuffled order, grouped into
// sentences by templates that may state two facts at once, with the name fronted, moved inside
// the sentence, or replaced by a pronoun after the first sentence.
import { randomInt, shuffleInPlace, type CharSpan, type Rng } from '@realm/tokenizer';
import type { EntityRecord } from './entities.js';
import { renderTemplate } from './render.js';
import { STATEMENT_TEMPLATES } from './templates.js';
import type { Relation, WorldDocument } from './types.js';

/** Where one of the entity's facts is stated in its document. */
export interface DocumentStatement {
  sentenceIndex: number;
  /** Span of the value in the body. */
  valueSpan: CharSpan;
  templateId: string;
}

export interface ComposedDocument {
  document: WorldDocument;
  /** Sentence spans in the body (sentences are joined by one space). */
  sentences: CharSpan[];
  /** One entry per fact, in the order of `entity.facts`. */
  statements: DocumentStatement[];
}

/** Composes the document of `entity`; every value lands verbatim in the body. */
export function composeDocument(entity: EntityRecord, rng: Rng): ComposedDocument {
  const templates = STATEMENT_TEMPLATES[entity.kind];
  const values: Partial<Record<Relation, string>> = {};
  const factIndexOf = new Map<Relation, number>();
  entity.facts.forEach((fact, i) => {
    values[fact.relation] = fact.value;
    factIndexOf.set(fact.relation, i);
  });

  const remaining = shuffleInPlace(rng, entity.facts.map((fact) => fact.relation));
  const statements = new Array<DocumentStatement>(entity.facts.length);
  const sentences: CharSpan[] = [];
  let body = '';
  while (remaining.length > 0) {
    const lead = remaining[0];
    const candidates = templates.filter((t) => t.relations.includes(lead) && t.relations.every((r) => remaining.includes(r)));
    if (candidates.length === 0) throw new Error(`composeDocument: no ${entity.kind} template states "${lead}"`);
    const template = candidates[randomInt(rng, candidates.length)];
    // The first sentence names the subject; later ones may say "she"/"he"/"it" instead.
    const usePronoun = sentences.length > 0 && template.pronounOk && rng.next() < 0.5;
    const rendered = renderTemplate(template.pattern, usePronoun ? entity.pronoun : entity.name, values, usePronoun);
    if (body.length > 0) body += ' ';
    const offset = body.length;
    for (const relation of template.relations) {
      const span = rendered.valueSpans[relation] as CharSpan;
      statements[factIndexOf.get(relation) as number] = {
        sentenceIndex: sentences.length,
        valueSpan: { start: offset + span.start, end: offset + span.end },
        templateId: template.id,
      };
      remaining.splice(remaining.indexOf(relation), 1);
    }
    body += rendered.text;
    sentences.push({ start: offset, end: body.length });
  }
  return { document: { title: entity.name, body }, sentences, statements };
}
