// Building tf.Example features from plain JS values and reading them back with type checks.
// The builders mirror the create_int_feature / create_float_feature helpers of
// google-research/bert create_pretraining_data.py, with the type always explicit.
import type { TfExample, TfFeature, TfFeatureKind } from './example.js';

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Accepted inputs for each feature kind (a scalar means a one-element list). */
export interface TfFeatureInputs {
  bytes: string | Uint8Array | readonly (string | Uint8Array)[];
  float: number | ArrayLike<number>;
  int64: number | bigint | readonly (number | bigint)[] | BigInt64Array;
}

/** A bytes feature; strings are UTF-8 encoded. */
export function bytesFeature(values: TfFeatureInputs['bytes']): TfFeature {
  const list = typeof values === 'string' || values instanceof Uint8Array ? [values] : values;
  return { kind: 'bytes', values: list.map((v) => (typeof v === 'string' ? utf8Encoder.encode(v) : v)) };
}

/** A float feature (values are rounded to float32, as TF stores them). */
export function floatFeature(values: TfFeatureInputs['float']): TfFeature {
  return { kind: 'float', values: typeof values === 'number' ? Float32Array.of(values) : Float32Array.from(values) };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 feature. Numbers must be safe integers (pass a bigint beyond 2^53); bigints must fit int64. */
export function int64Feature(values: TfFeatureInputs['int64']): TfFeature {
  if (values instanceof BigInt64Array) return { kind: 'int64', values: values.slice() };
  const list = typeof values === 'number' || typeof values === 'bigint' ? [values] : values;
  const out = new BigInt64Array(list.length);
  list.forEach((v, i) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new RangeError(`int64 feature value ${v} at index ${i} is not a safe integer (pass a bigint for values beyond 2^53)`);
    }
    const big = BigInt(v);
    if (big < INT64_MIN || big > INT64_MAX) throw new RangeError(`int64 feature value ${big} at index ${i} does not fit in int64`);
    out[i] = big;
  });
  return { kind: 'int64', values: out };
}

/** Inputs for buildExample given a name→kind schema: every value must match its declared kind. */
export type TfExampleInputs<Schema extends Record<string, TfFeatureKind>> = {
  [Name in keyof Schema]?: TfFeatureInputs[Schema[Name]];
};

/**
 * Builds a TfExample from plain values with explicit kinds, e.g.
 * `buildExample({ title: 'bytes', ids: 'int64' }, { title: 'x', ids: [1, 2] })`.
 * Features absent from `values` are left out; a value with no declared kind throws.
 */
export function buildExample<Schema extends Record<string, TfFeatureKind>>(
  schema: Schema,
  values: TfExampleInputs<Schema>,
): TfExample {
  const example: TfExample = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const kind = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (kind === undefined) throw new Error(`buildExample: no kind declared for feature "${name}"`);
    if (value === undefined) continue;
    try {
      if (kind === 'bytes') example[name] = bytesFeature(value as TfFeatureInputs['bytes']);
      else if (kind === 'float') example[name] = floatFeature(value as TfFeatureInputs['float']);
      else if (kind === 'int64') example[name] = int64Feature(value as TfFeatureInputs['int64']);
      else throw new Error(`unknown kind ${JSON.stringify(kind)}`);
    } catch (error) {
      throw new Error(`buildExample: feature "${name}": ${(error as Error).message}`, { cause: error });
    }
  }
  return example;
}

function lookup(example: TfExample, name: string, kind: TfFeatureKind): TfFeature {
  const feature = Object.hasOwn(example, name) ? example[name] : undefined;
  if (feature === undefined) {
    throw new Error(`tf.Example has no feature "${name}" (features: ${Object.keys(example).sort().join(', ') || 'none'})`);
  }
  if (feature.kind !== kind && feature.kind !== 'none') {
    throw new Error(`tf.Example feature "${name}" is a ${feature.kind} list, not ${kind}`);
  }
  return feature;
}

/** Exact int64 values of feature `name` (an unset list reads as empty, as in tf.io.VarLenFeature). */
export function int64Values(example: TfExample, name: string): BigInt64Array {
  const feature = lookup(example, name, 'int64');
  return feature.kind === 'int64' ? feature.values : new BigInt64Array(0);
}

/** int64 values as numbers; throws when one lies outside ±(2^53 − 1), where a number would be inexact. */
export function int64Numbers(example: TfExample, name: string): number[] {
  return Array.from(int64Values(example, name), (value, i) => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`tf.Example feature "${name}" value ${value} at index ${i} is not a safe integer; use int64Values`);
    }
    return Number(value);
  });
}

/** float32 values of feature `name`. */
export function floatValues(example: TfExample, name: string): Float32Array {
  const feature = lookup(example, name, 'float');
  return feature.kind === 'float' ? feature.values : new Float32Array(0);
}

/** Raw bytes values of feature `name`. */
export function bytesValues(example: TfExample, name: string): Uint8Array[] {
  const feature = lookup(example, name, 'bytes');
  return feature.kind === 'bytes' ? feature.values : [];
}

/** Bytes values decoded as UTF-8; throws (naming feature and index) on invalid UTF-8. */
export function stringValues(example: TfExample, name: string): string[] {
  return bytesValues(example, name).map((bytes, i) => {
    try {
      return strictUtf8Decoder.decode(bytes);
    } catch {
      throw new Error(`tf.Example feature "${name}" value ${i} is not valid UTF-8`);
    }
  });
}
