// tf.train.Example <-> a plain JS form, through protobufjs and the real schema (example-schema.ts).
// int64 values stay exact as BigInt64Array; floats are Float32Array as stored; bytes are Uint8Array.
// Ports the wire format of tf.train.Example (tensorflow/core/example/example.proto).
import { ExactInt64Reader, tfExampleProtoTypes } from './example-schema.js';

/** One feature's value list. `none` is a Feature with no list set (valid proto; TF reads it as empty). */
export type TfFeature =
  | { kind: 'bytes'; values: Uint8Array[] }
  | { kind: 'float'; values: Float32Array }
  | { kind: 'int64'; values: BigInt64Array }
  | { kind: 'none' };

/** The feature kinds a builder can produce. */
export type TfFeatureKind = 'bytes' | 'float' | 'int64';

/** A decoded tf.train.Example: feature name to value list. */
export type TfExample = Record<string, TfFeature>;

/** int64 as protobufjs's writer accepts it exactly: a safe number or {low, high} 32-bit halves. */
interface LongBits {
  low: number;
  high: number;
}

interface FeatureMessage {
  kind?: 'bytes_list' | 'float_list' | 'int64_list';
  bytes_list?: { value?: Uint8Array[] };
  float_list?: { value?: number[] };
  int64_list?: { value?: (LongBits | number | bigint)[] };
}

interface ExampleMessage {
  features?: { feature?: Record<string, FeatureMessage> };
}

function int64FromWire(value: LongBits | number | bigint): bigint {
  if (typeof value === 'bigint') return value; // what ExactInt64Reader yields
  if (typeof value === 'number') return BigInt(value);
  return BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0));
}

function int64ToWire(value: bigint): LongBits | number {
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return { low: Number(value & 0xffffffffn) | 0, high: Number((value >> 32n) & 0xffffffffn) | 0 };
}

function featureFromMessage(message: FeatureMessage): TfFeature {
  switch (message.kind) {
    case 'bytes_list':
      // Views (not Buffers) into the decoded payload, so values compare equal to plain Uint8Arrays.
      return {
        kind: 'bytes',
        values: (message.bytes_list?.value ?? []).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      };
    case 'float_list':
      return { kind: 'float', values: Float32Array.from(message.float_list?.value ?? []) };
    case 'int64_list': {
      const wire = message.int64_list?.value ?? [];
      const values = new BigInt64Array(wire.length);
      for (let i = 0; i < wire.length; i++) values[i] = int64FromWire(wire[i]);
      return { kind: 'int64', values };
    }
    default:
      return { kind: 'none' };
  }
}

function featureToMessage(name: string, feature: TfFeature): FeatureMessage {
  switch (feature.kind) {
    case 'bytes':
      return { bytes_list: { value: feature.values } };
    case 'float':
      return { float_list: { value: Array.from(feature.values) } };
    case 'int64':
      return { int64_list: { value: Array.from(feature.values, int64ToWire) } };
    case 'none':
      return {};
    default:
      throw new Error(`tf.Example feature "${name}": unknown kind ${JSON.stringify((feature as { kind: unknown }).kind)}`);
  }
}

/**
 * Parses a serialized tf.train.Example. Accepts packed and unpacked repeated numbers and map entries
 * with fields in any order. Throws "tf.Example decode failed: ..." on malformed bytes.
 */
export function decodeExample(payload: Uint8Array): TfExample {
  let message: ExampleMessage;
  try {
    message = tfExampleProtoTypes().Example.decode(new ExactInt64Reader(payload)) as unknown as ExampleMessage;
  } catch (error) {
    throw new Error(`tf.Example decode failed (${payload.length} bytes): ${(error as Error).message}`, { cause: error });
  }
  const example: TfExample = {};
  for (const [name, feature] of Object.entries(message.features?.feature ?? {})) {
    example[name] = featureFromMessage(feature);
  }
  return example;
}

/** Serializes to tf.train.Example bytes (features in the object's key order, lists packed as TF does). */
export function encodeExample(example: TfExample): Uint8Array {
  const feature: Record<string, FeatureMessage> = {};
  for (const [name, value] of Object.entries(example)) feature[name] = featureToMessage(name, value);
  const { Example } = tfExampleProtoTypes();
  const bytes = Example.encode({ features: { feature } }).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
