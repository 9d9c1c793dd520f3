// Configuration of the built-in synthetic world (generate.ts). Defaults follow the sizing that a
// PyTorch prototype showed trains REALM + ORQA in minutes on 2 CPU cores.
import { z } from 'zod';

export const WorldConfigSchema = z
  .strictObject({
    seed: z.number().int().default(13).describe('Seed of the generator: the same seed gives a deep-equal world'),
    scale: z
      .number()
      .positive()
      .max(1000)
      .default(1)
      .describe('Multiplies every entity count (people, places, organisations, countries); sizes grow linearly'),
    numPeople: z.number().int().min(2).default(400).describe('People at scale 1 (one document each; the prototype used 300-500)'),
    numPlaces: z.number().int().min(1).default(32).describe('Cities at scale 1 (one document each: country and population)'),
    numOrganisations: z
      .number()
      .int()
      .min(1)
      .default(24)
      .describe('Organisations at scale 1 (one document each: founding year, headquarters city, employee count)'),
    numCountries: z.number().int().min(1).default(6).describe('Countries at scale 1 (values of the city-country relation; no documents)'),
    mentorFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Fraction of people who also get a mentor fact (a PERSON-valued relation)'),
    heldoutFraction: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.2)
      .describe('Fraction of facts held out: stated only in the knowledge corpus, so only retrieval can recover them'),
    devFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Fraction of held-out facts whose questions form QA dev; the rest form QA test (dev is held out too)'),
    restatementsPerFact: z
      .number()
      .int()
      .min(1)
      .max(4)
      .default(1)
      .describe('Pre-training sentences per fact, each from a different template than the document used'),
  })
  .readonly();

export type WorldConfig = z.infer<typeof WorldConfigSchema>;
export type WorldConfigInput = z.input<typeof WorldConfigSchema>;

/** Entity counts after applying `scale` (rounded; never below the schema minimums). */
export interface WorldSizes {
  people: number;
  places: number;
  organisations: number;
  countries: number;
}

/** The entity counts a config asks for: each base count times `scale`. */
export function worldSizes(config: WorldConfig): WorldSizes {
  const scaled = (base: number, min: number): number => Math.max(min, Math.round(base * config.scale));
  return {
    people: scaled(config.numPeople, 2),
    places: scaled(config.numPlaces, 1),
    organisations: scaled(config.numOrganisations, 1),
    countries: scaled(config.numCountries, 1),
  };
}

/** Parses a config, throwing an error that names every bad field. */
export function parseWorldConfig(input: WorldConfigInput = {}): WorldConfig {
  const parsed = WorldConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`world config: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
