// The tf.train.Example protobuf schema, parsed once with protobufjs. The message definitions are those
// of tensorflow/core/example/feature.proto and example.proto (same names, field numbers and
// packed=true options; comments and file options dropped).
import protobuf from 'protobufjs';

/** Message definitions of tensorflow/core/example/{feature,example}.proto. */
export const TF_EXAMPLE_PROTO = `
syntax = "proto3";
package tensorflow;

message BytesList {
  repeated bytes value = 1;
}
message FloatList {
  repeated float value = 1 [packed = true];
}
message Int64List {
  repeated int64 value = 1 [packed = true];
}
message Feature {
  oneof kind {
    BytesList bytes_list = 1;
    FloatList float_list = 2;
    Int64List int64_list = 3;
  }
}
message Features {
  map<string, Feature> feature = 1;
}
message FeatureList {
  repeated Feature feature = 1;
}
message FeatureLists {
  map<string, FeatureList> feature_list = 1;
}
message Example {
  Features features = 1;
}
message SequenceExample {
  Features context = 1;
  FeatureLists feature_lists = 2;
}
`;

/** protobufjs message types for the schema above, with proto field names kept (snake_case). */
export interface TfExampleProtoTypes {
  Example: protobuf.Type;
  Features: protobuf.Type;
  Feature: protobuf.Type;
}

/**
 * A protobufjs Reader whose int64() returns an exact bigint. protobufjs itself returns a Long only
 * when it can `require("long")`; otherwise (e.g. under ESM-only resolution) it silently rounds to a
 * double. Passing this reader to Type.decode keeps ids beyond 2^53 exact in every environment,
 * without touching protobufjs's global configuration.
 */
export class ExactInt64Reader extends protobuf.Reader {
  override int64(): protobuf.Long {
    return this.readVarint64() as unknown as protobuf.Long;
  }

  private readVarint64(): bigint {
    // Fast path: values below 2^28 end within four bytes and fit a small integer.
    let small = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.nextByte();
      small |= (byte & 0x7f) << (7 * i);
      if (byte < 0x80) return BigInt(small >>> 0);
    }
    let value = BigInt(small >>> 0);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      const byte = this.nextByte();
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, value);
    }
    throw new Error(`invalid varint encoding at offset ${this.pos}`);
  }

  private nextByte(): number {
    if (this.pos >= this.len) throw new RangeError(`index out of range: ${this.pos} + 1 > ${this.len}`);
    return this.buf[this.pos++];
  }
}

let cached: TfExampleProtoTypes | undefined;

/** The parsed tf.train.Example types (parsed on first use, then shared). */
export function tfExampleProtoTypes(): TfExampleProtoTypes {
  if (!cached) {
    // resolveAll() before first use: without it protobufjs 7 generates encoders for the nested list
    // types before their proto3/[packed=true] features are resolved and writes them unpacked.
    const root = protobuf.parse(TF_EXAMPLE_PROTO, { keepCase: true }).root.resolveAll();
    cached = {
      Example: root.lookupType('tensorflow.Example'),
      Features: root.lookupType('tensorflow.Features'),
      Feature: root.lookupType('tensorflow.Feature'),
    };
  }
  return cached;
}
