// TensorFlow's GraphDef in the JSON form that tfjs-converter reads as model.json "modelTopology"
// (tensorflow/core/framework/{graph,node_def,attr_value}.proto through protobuf's JSON mapping), and a
// builder that emits nodes and records every Const value, because tfjs binds Consts to weights by name.

/** TF dtypes this exporter writes. */
export type TfDataType = 'DT_FLOAT' | 'DT_INT32';

/** tfjs weight dtypes matching TfDataType. */
export type WeightDtype = 'float32' | 'int32';

/** TensorShapeProto as JSON: int64 sizes are strings, −1 is an unknown dimension. */
export interface TensorShapeJson {
  dim: Array<{ size: string }>;
}

/** AttrValue as JSON (only the fields this exporter writes). */
export interface AttrValueJson {
  type?: TfDataType;
  i?: string;
  f?: number;
  b?: boolean;
  shape?: TensorShapeJson;
  list?: { i?: string[]; type?: TfDataType[] };
  tensor?: { dtype: TfDataType; tensorShape: TensorShapeJson };
}

/** NodeDef as JSON; `input` entries are node names (output 0) or "name:k". */
export interface NodeDefJson {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValueJson>;
}

/** GraphDef as JSON. */
export interface GraphDefJson {
  node: NodeDefJson[];
  versions: { producer: number };
  library: Record<string, never>;
}

/** A signature entry (TensorInfo as JSON): the graph tensor behind a signature key. */
export interface TensorInfoJson {
  name: string;
  dtype: TfDataType;
  tensorShape: TensorShapeJson;
}

/** A Const value: its data, or `undefined` for a model variable the exporter reads later. */
export interface GraphConstant {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  values: Float32Array | Int32Array | undefined;
}

const TF_DTYPE: Record<WeightDtype, TfDataType> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };

/** Attr helpers in the JSON encoding tfjs-converter's operation_mapper decodes. */
export const attr = {
  type: (dtype: WeightDtype): AttrValueJson => ({ type: TF_DTYPE[dtype] }),
  bool: (value: boolean): AttrValueJson => ({ b: value }),
  int: (value: number): AttrValueJson => ({ i: String(value) }),
  shape: (dims: readonly number[]): AttrValueJson => ({ shape: shapeJson(dims) }),
};

/** TensorShapeProto JSON of `dims` (−1 = unknown). */
export function shapeJson(dims: readonly number[]): TensorShapeJson {
  return { dim: dims.map((size) => ({ size: String(size) })) };
}

/** Maps dtype names: tfjs weight dtype → TF DataType enum name. */
export function tfDataType(dtype: WeightDtype): TfDataType {
  return TF_DTYPE[dtype];
}

/**
 * Accumulates the nodes of one graph. Node names are unique (a repeated name is a bug in the caller
 * and throws); `op` returns the new node's name, which is also the name of its output 0.
 */
export class GraphBuilder {
  private readonly nodes: NodeDefJson[] = [];
  private readonly names = new Set<string>();
  private readonly constantsByName = new Map<string, GraphConstant>();

  /** Adds node `name` running `op` on `inputs`. */
  op(name: string, op: string, inputs: readonly string[], attrs: Record<string, AttrValueJson> = {}): string {
    if (this.names.has(name)) throw new Error(`graph already has a node named "${name}"`);
    if (name.includes(':')) throw new Error(`graph node name "${name}" must not contain ":" (tfjs reads it as an output index)`);
    this.names.add(name);
    const node: NodeDefJson = { name, op };
    if (inputs.length > 0) node.input = [...inputs];
    if (Object.keys(attrs).length > 0) node.attr = attrs;
    this.nodes.push(node);
    return name;
  }

  /** A Placeholder of `dtype` and `shape` (−1 for a dimension fed at run time). */
  placeholder(name: string, dtype: WeightDtype, shape: readonly number[]): string {
    return this.op(name, 'Placeholder', [], { dtype: attr.type(dtype), shape: attr.shape(shape) });
  }

  /**
   * A Const node named `name`. Its value goes to the weights manifest under the same name (tfjs
   * looks Const values up there); `values` undefined means "a model variable, read at export". A name
   * used again returns the existing node when dtype, shape and values agree.
   */
  constant(name: string, dtype: WeightDtype, shape: readonly number[], values?: Float32Array | Int32Array): string {
    const existing = this.constantsByName.get(name);
    if (existing) {
      const same = existing.dtype === dtype && sameNumbers(existing.shape, shape) && sameValues(existing.values, values);
      if (!same) throw new Error(`graph constant "${name}" redefined with a different dtype, shape or value`);
      return name;
    }
    const size = shape.reduce((n, d) => n * d, 1);
    if (values && values.length !== size) throw new Error(`graph constant "${name}": ${values.length} values for shape [${shape.join(', ')}]`);
    this.op(name, 'Const', [], {
      value: { tensor: { dtype: tfDataType(dtype), tensorShape: shapeJson(shape) } },
      dtype: attr.type(dtype),
    });
    this.constantsByName.set(name, { name, dtype, shape: [...shape], values });
    return name;
  }

  /** A float32 scalar Const. */
  scalar(name: string, value: number): string {
    return this.constant(name, 'float32', [], Float32Array.of(value));
  }

  /** An int32 Const of rank 0 (`values` a number) or rank 1. */
  ints(name: string, values: number | readonly number[]): string {
    return typeof values === 'number'
      ? this.constant(name, 'int32', [], Int32Array.of(values))
      : this.constant(name, 'int32', [values.length], Int32Array.from(values));
  }

  /** Every Const in creation order (the weights manifest order). */
  constants(): GraphConstant[] {
    return [...this.constantsByName.values()];
  }

  /** The GraphDef JSON. No TensorFlow produced it, so `producer` is 1 rather than a TF GraphDef version. */
  graphDef(): GraphDefJson {
    return { node: this.nodes.map((n) => structuredClone(n)), versions: { producer: 1 }, library: {} };
  }
}

function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameValues(a: Float32Array | Int32Array | undefined, b: Float32Array | Int32Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameNumbers(a, b);
}
