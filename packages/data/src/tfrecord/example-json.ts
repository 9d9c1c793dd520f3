// A JSON view of tf.Example for printing (`realm tfrecord cat`): kinds kept, keys sorted, values exact.
// Bytes are UTF-8 strings when valid UTF-8, else {"base64": ...}; int64 are numbers when safe, else
// decimal strings; floats are numbers (non-finite ones as "NaN" / "Infinity" / "-Infinity").
import type { TfExample, TfFeature } from './example.js';

/** A bytes value that is not valid UTF-8. */
export interface TfBytesBase64Json {
  base64: string;
}

/** JSON form of one feature: `{}` for a Feature with no list set. */
export type TfFeatureJson =
  | { bytes: (string | TfBytesBase64Json)[] }
  | { float: (number | string)[] }
  | { int64: (number | string)[] }
  | Record<string, never>;

const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });

function bytesToJson(bytes: Uint8Array): string | TfBytesBase64Json {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    return { base64: toBase64(bytes) };
  }
}

/** Standard base64 without Node's Buffer, so this module also runs in browsers. */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function int64ToJson(value: bigint): number | string {
  const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
  return safe ? Number(value) : value.toString();
}

function floatToJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** The JSON form of one feature. */
export function featureToJson(feature: TfFeature): TfFeatureJson {
  switch (feature.kind) {
    case 'bytes':
      return { bytes: feature.values.map(bytesToJson) };
    case 'float':
      return { float: Array.from(feature.values, floatToJson) };
    case 'int64':
      return { int64: Array.from(feature.values, int64ToJson) };
    case 'none':
      return {};
  }
}

/** The JSON form of an Example, with feature names sorted so output does not depend on map order. */
export function exampleToJson(example: TfExample): Record<string, TfFeatureJson> {
  const json: Record<string, TfFeatureJson> = {};
  for (const name of Object.keys(example).sort()) json[name] = featureToJson(example[name]);
  return json;
}

function jsonValueToText(value: string | number | TfBytesBase64Json): string {
  if (typeof value === 'object') return `base64:${value.base64}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * One-line human-readable form, e.g. `cur_page=bytes["page2"] session_index=int64[1]`, features
 * sorted by name. Unsafe int64 and non-finite floats print as quoted strings, as in the JSON form.
 */
export function exampleToText(example: TfExample): string {
  return Object.entries(exampleToJson(example))
    .map(([name, json]) => {
      const [kind, values] = Object.entries(json)[0] ?? ['none', []];
      return `${name}=${kind}[${(values as (string | number | TfBytesBase64Json)[]).map(jsonValueToText).join(', ')}]`;
    })
    .join(' ');
}
