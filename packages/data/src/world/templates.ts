// Sentence and question templates of the synthetic world, several per relation, with the subject
// and the value in varying positions (fronted, passive, "Y-born X", pronoun-led in documents).
import type { EntityKind, Relation } from './types.js';

/**
 * A statement pattern. Slots: `{s}` the subject (its name, or a pronoun in documents when
 * `pronounOk`), `{relation}` a value, `{a:relation}` / `{A:relation}` the value after "a"/"an"
 * ("A"/"An" at a sentence start). Templates with one relation serve documents AND pre-training;
 * templates with two serve documents only (a pre-training sentence restates exactly one fact).
 */
export interface StatementTemplate {
  id: string;
  relations: readonly Relation[];
  pattern: string;
  /** True when `{s}` stands where "he"/"she"/"it" reads correctly. */
  pronounOk: boolean;
}

export interface QuestionTemplate {
  id: string;
  relation: Relation;
  pattern: string;
}

const SLOT = /\{(?:([aA]):)?([a-z_]+)\}/g;

/** The relations a pattern mentions, in order of appearance (the subject slot excluded). */
export function patternRelations(pattern: string): Relation[] {
  const relations: Relation[] = [];
  for (const match of pattern.matchAll(SLOT)) {
    if (match[2] !== 's' && !relations.includes(match[2] as Relation)) relations.push(match[2] as Relation);
  }
  return relations;
}

function statement(id: string, pattern: string, pronounOk: boolean): StatementTemplate {
  return { id, relations: patternRelations(pattern), pattern, pronounOk };
}

const PERSON_STATEMENTS: readonly StatementTemplate[] = [
  statement('birth_year.1', '{s} was born in {birth_year}.', true),
  statement('birth_year.2', 'In {birth_year}, {s} was born.', true),
  statement('birth_year.3', 'The year {birth_year} saw the birth of {s}.', false),
  statement('birth_year.4', 'Born in {birth_year}, {s} would later become well known.', true),
  statement('birth_year.5', '{birth_year} is the year in which {s} was born.', true),
  statement('birth_year.6', 'Records give {birth_year} as the birth year of {s}.', false),
  statement('birth_place.1', '{s} was born in {birth_place}.', true),
  statement('birth_place.2', 'The city of {birth_place} is where {s} was born.', true),
  statement('birth_place.3', '{birth_place}-born {s} is remembered there to this day.', false),
  statement('birth_place.4', 'In {birth_place}, {s} was born and raised.', true),
  statement('birth_place.5', 'The birthplace of {s} is {birth_place}.', false),
  statement('birth_place.6', '{s} is a native of {birth_place}.', true),
  statement('occupation.1', '{s} worked as {a:occupation}.', true),
  statement('occupation.2', 'By profession, {s} was {a:occupation}.', true),
  statement('occupation.3', '{A:occupation} by trade, {s} was widely respected.', true),
  statement('occupation.4', 'The occupation of {s} was that of {a:occupation}.', false),
  statement('occupation.5', 'Many knew {s} as {a:occupation}.', false),
  statement('occupation.6', '{s} earned a living as {a:occupation}.', true),
  statement('employer.1', '{s} was employed by {employer}.', true),
  statement('employer.2', 'At {employer}, {s} spent many working years.', true),
  statement('employer.3', '{employer} employed {s} for most of a career.', false),
  statement('employer.4', 'The employer of {s} was {employer}.', false),
  statement('employer.5', '{s} worked for {employer}.', true),
  statement('employer.6', 'For many years, {employer} was where {s} worked.', true),
  statement('mentor.1', '{s} trained under {mentor}.', true),
  statement('mentor.2', '{mentor} was the mentor of {s}.', false),
  statement('mentor.3', 'Under the guidance of {mentor}, {s} learned the trade.', true),
  statement('mentor.4', 'The mentor of {s} was {mentor}.', false),
  statement('mentor.5', '{s} was a student of {mentor}.', true),
  // Two facts in one sentence: documents only.
  statement('birth.combo.1', 'In {birth_year}, {s} was born in {birth_place}.', true),
  statement('birth.combo.2', '{s} was born in {birth_place} in {birth_year}.', true),
  statement('birth.combo.3', 'The city of {birth_place} is where {s} was born, in {birth_year}.', true),
  statement('birth_year+occupation.combo', 'Born in {birth_year}, {s} worked as {a:occupation}.', true),
  statement('birth_place+occupation.combo', '{birth_place}-born {s} worked as {a:occupation}.', false),
  statement('work.combo.1', '{s} worked as {a:occupation} at {employer}.', true),
  statement('work.combo.2', 'At {employer}, {s} was employed as {a:occupation}.', true),
  statement('work.combo.3', '{A:occupation} by training, {s} joined {employer}.', true),
];

const PLACE_STATEMENTS: readonly StatementTemplate[] = [
  statement('country.1', '{s} is a city in {country}.', true),
  statement('country.2', 'The city of {s} lies in {country}.', false),
  statement('country.3', 'Located in {country}, {s} is a regional centre.', true),
  statement('country.4', '{country} is the country in which {s} is found.', true),
  statement('country.5', 'In {country}, {s} is one of the older cities.', true),
  statement('population.1', '{s} has a population of {population}.', true),
  statement('population.2', '{population} people live in {s}.', false),
  statement('population.3', 'The population of {s} is {population}.', false),
  statement('population.4', 'With {population} inhabitants, {s} is a busy place.', true),
  statement('population.5', 'A census counted {population} residents in {s}.', false),
  statement('place.combo.1', '{s} is a city in {country} with a population of {population}.', true),
  statement('place.combo.2', 'Located in {country}, {s} has {population} inhabitants.', true),
  statement('place.combo.3', 'The {country} city of {s} has a population of {population}.', false),
];

const ORGANISATION_STATEMENTS: readonly StatementTemplate[] = [
  statement('founded.1', '{s} was founded in {founded}.', true),
  statement('founded.2', 'In {founded}, {s} was established.', true),
  statement('founded.3', 'Founded in {founded}, {s} has a long history.', true),
  statement('founded.4', 'The founding year of {s} is {founded}.', false),
  statement('founded.5', '{founded} was the year {s} opened its doors.', true),
  statement('headquarters.1', '{s} is headquartered in {headquarters}.', true),
  statement('headquarters.2', 'The headquarters of {s} are in {headquarters}.', false),
  statement('headquarters.3', 'Based in {headquarters}, {s} operates across the region.', true),
  statement('headquarters.4', '{headquarters} is home to the headquarters of {s}.', false),
  statement('headquarters.5', 'In {headquarters}, {s} keeps its main offices.', true),
  statement('employees.1', '{s} employs {employees} people.', true),
  statement('employees.2', '{employees} people work for {s}.', false),
  statement('employees.3', 'The staff of {s} numbers {employees}.', false),
  statement('employees.4', 'With {employees} employees, {s} is a sizeable employer.', true),
  statement('org.combo.1', 'Founded in {founded}, {s} is based in {headquarters}.', true),
  statement('org.combo.2', 'In {founded}, {s} was established with its headquarters in {headquarters}.', true),
  statement('org.combo.3', 'Headquartered in {headquarters}, {s} employs {employees} people.', true),
];

/** Statement templates usable for an entity kind's document. */
export const STATEMENT_TEMPLATES: Readonly<Record<EntityKind, readonly StatementTemplate[]>> = Object.freeze({
  person: PERSON_STATEMENTS,
  place: PLACE_STATEMENTS,
  organisation: ORGANISATION_STATEMENTS,
});

/** Single-relation templates of a relation (the pre-training pool). */
export function singleFactTemplates(kind: EntityKind, relation: Relation): StatementTemplate[] {
  return STATEMENT_TEMPLATES[kind].filter((t) => t.relations.length === 1 && t.relations[0] === relation);
}

function question(relation: Relation, variant: number, pattern: string): QuestionTemplate {
  return { id: `${relation}.q${variant}`, relation, pattern };
}

/** Question templates per relation (the subject is not always first: "X was born in which year?"). */
export const QUESTION_TEMPLATES: readonly QuestionTemplate[] = [
  question('birth_year', 1, 'When was {s} born?'),
  question('birth_year', 2, 'In what year was {s} born?'),
  question('birth_year', 3, '{s} was born in which year?'),
  question('birth_place', 1, 'Where was {s} born?'),
  question('birth_place', 2, 'In which city was {s} born?'),
  question('birth_place', 3, 'What is the birthplace of {s}?'),
  question('occupation', 1, 'What was the occupation of {s}?'),
  question('occupation', 2, 'What did {s} work as?'),
  question('occupation', 3, 'What was the profession of {s}?'),
  question('employer', 1, 'Which organisation employed {s}?'),
  question('employer', 2, 'Who was the employer of {s}?'),
  question('employer', 3, '{s} worked for which organisation?'),
  question('mentor', 1, 'Who was the mentor of {s}?'),
  question('mentor', 2, 'Under whom did {s} train?'),
  question('mentor', 3, 'Who taught {s} the trade?'),
  question('country', 1, 'In which country is {s}?'),
  question('country', 2, '{s} is a city in which country?'),
  question('country', 3, 'What country is {s} located in?'),
  question('population', 1, 'What is the population of {s}?'),
  question('population', 2, 'How many people live in {s}?'),
  question('population', 3, 'How many inhabitants does {s} have?'),
  question('founded', 1, 'When was {s} founded?'),
  question('founded', 2, 'In what year was {s} established?'),
  question('founded', 3, '{s} was founded in which year?'),
  question('headquarters', 1, 'Where is {s} headquartered?'),
  question('headquarters', 2, 'In which city is {s} based?'),
  question('headquarters', 3, 'Where are the headquarters of {s}?'),
  question('employees', 1, 'How many people does {s} employ?'),
  question('employees', 2, 'How many employees does {s} have?'),
  question('employees', 3, 'What is the size of the staff of {s}?'),
];

/** Question templates of one relation. */
export function questionTemplates(relation: Relation): QuestionTemplate[] {
  return QUESTION_TEMPLATES.filter((q) => q.relation === relation);
}

/** Every word the templates use (lower case): invented names must avoid them. */
export function templateWords(): Set<string> {
  const words = new Set<string>();
  const patterns = [...Object.values(STATEMENT_TEMPLATES).flat().map((t) => t.pattern), ...QUESTION_TEMPLATES.map((q) => q.pattern)];
  for (const pattern of patterns) {
    for (const word of pattern.replace(SLOT, ' ').toLowerCase().match(/[a-z]+/g) ?? []) words.add(word);
  }
  return words;
}
