// A small ONNX graph builder: nodes, attributes, initializers and graph inputs/outputs as plain
// objects for onnx-proto.ts's ModelProto (the role of onnx/helper.py make_node / make_tensor).
import { modelProtoType, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE, ONNX_IR_VERSION, ONNX_OPSET_VERSION } from './onnx-proto.js';

/** An attribute value, tagged with its ONNX attribute type. */
export type OnnxAttribute = { int: number } | { float: number } | { ints: readonly number[] } | { string: string };

/** Element types of graph inputs, outputs and initializers. */
export type OnnxElementType = keyof typeof ONNX_DATA_TYPE;

/** A dimension of a graph input/output: fixed size or a symbolic name ("batch"). */
export type OnnxDim = number | string;

interface AttributeJson { name: string; type: number; i?: number; f?: number; ints?: number[]; s?: Uint8Array }
interface NodeJson { name: string; op_type: string; input: string[]; output: string[]; attribute: AttributeJson[] }
interface TensorJson { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }
interface ValueInfoJson { name: string; type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value?: number; dim_param?: string }> } } } }

function attributeJson(name: string, value: OnnxAttribute): AttributeJson {
  if ('int' in value) return { name, type: ONNX_ATTRIBUTE_TYPE.INT, i: value.int };
  if ('float' in value) return { name, type: ONNX_ATTRIBUTE_TYPE.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: [...value.ints] };
  return { name, type: ONNX_ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value.string) };
}

function valueInfo(name: string, elementType: OnnxElementType, dims: readonly OnnxDim[]): ValueInfoJson {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: ONNX_DATA_TYPE[elementType], shape: { dim } } } };
}

/** Little-endian bytes of a typed array (raw_data is always little-endian in ONNX). */
function littleEndianBytes(values: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // Node on x86/ARM is little-endian, so the array's own bytes are already in ONNX order.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Accumulates one GraphProto; every tensor name is unique (node names are made unique too). */
export class OnnxGraphBuilder {
  private readonly nodes: NodeJson[] = [];
  private readonly initializers: TensorJson[] = [];
  private readonly inputs: ValueInfoJson[] = [];
  private readonly outputs: ValueInfoJson[] = [];
  private readonly names = new Set<string>();
  private readonly constantsByKey = new Map<string, string>();

  private unique(name: string): string {
    let candidate = name;
    for (let n = 1; this.names.has(candidate); n++) candidate = `${name}_${n}`;
    this.names.add(candidate);
    return candidate;
  }

  input(name: string, elementType: OnnxElementType, dims: readonly OnnxDim[]): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: duplicate input name "${name}"`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, elementType, dims));
    return name;
  }

  /** Declares `tensor` as graph output `name` (through an Identity so the output has exactly that name). */
  output(name: string, tensor: string, elementType: OnnxElementType, dims: readonly OnnxDim[]): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: output name "${name}" is already taken`);
    this.names.add(name);
    this.nodes.push({ name: `${name}/Identity`, op_type: 'Identity', input: [tensor], output: [name], attribute: [] });
    this.outputs.push(valueInfo(name, elementType, dims));
  }

  /** A float32 initializer (a model weight) named `name`. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`ONNX initializer "${name}": ${values.length} values for shape [${dims.join(', ')}]`);
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], data_type: ONNX_DATA_TYPE.FLOAT, raw_data: littleEndianBytes(values) });
    return unique;
  }

  /** A shared int64 constant (shapes, axes, indices); `dims` [] makes a scalar. */
  int64(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const existing = this.constantsByKey.get(key);
    if (existing) return existing;
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], data_type: ONNX_DATA_TYPE.INT64, raw_data: littleEndianBytes(BigInt64Array.from(values, BigInt)) });
    this.constantsByKey.set(key, unique);
    return unique;
  }

  /** A shared float32 scalar constant. */
  scalar(name: string, value: number): string {
    const key = `f32:${value}`;
    const existing = this.constantsByKey.get(key);
    if (existing) return existing;
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [], data_type: ONNX_DATA_TYPE.FLOAT, raw_data: littleEndianBytes(Float32Array.of(value)) });
    this.constantsByKey.set(key, unique);
    return unique;
  }

  /** Adds node `opType` reading `inputs`; returns the name of its (single) output. */
  op(name: string, opType: string, inputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}): string {
    const output = this.unique(name);
    const attribute = Object.entries(attributes).map(([key, value]) => attributeJson(key, value));
    this.nodes.push({ name: output, op_type: opType, input: [...inputs], output: [output], attribute });
    return output;
  }

  /** The ModelProto bytes (default opset 17, IR version 8). */
  encodeModel(graphName: string, docString: string): Uint8Array {
    const graph = { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
    const model = {
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: ONNX_OPSET_VERSION }],
      producer_name: 'realm-ts tools/bench/embed-ort',
      producer_version: '0.1.0',
      doc_string: docString,
      graph,
    };
    const type = modelProtoType();
    const invalid = type.verify(model);
    if (invalid) throw new Error(`ONNX ModelProto: ${invalid}`);
    return type.encode(model).finish();
  }

  /** Op types used so far (for the report). */
  opTypes(): string[] {
    return [...new Set(this.nodes.map((n) => n.op_type))].sort();
  }
}
