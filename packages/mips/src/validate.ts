// Argument checks shared by every index: error messages name the method, the argument and the
// offending position, so a bad batch can be traced back to its row.

/** Throws unless `dim` is a positive integer. */
export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`dim must be a positive integer, got ${dim}`);
}

/** Throws unless `k` is a positive integer. */
export function checkK(method: string, k: number): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
    throw new Error(`${method}: k must be a positive integer, got ${String(k)}`);
  }
}

/**
 * Checks that `values` is a Float32Array holding whole rows of `dim` finite numbers and returns
 * the number of rows. `name` is the argument name used in messages ("vectors", "queries").
 */
export function checkMatrix(method: string, name: string, values: Float32Array, dim: number): number {
  if (!(values instanceof Float32Array)) throw new Error(`${method}: ${name} must be a Float32Array`);
  if (values.length % dim !== 0) {
    throw new Error(`${method}: ${name} has ${values.length} values, which is not a multiple of dim ${dim} (dimension mismatch)`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v - v is NaN exactly when v is NaN or ±Infinity; one comparison per element keeps this cheap.
    if (v - v !== 0) {
      throw new Error(`${method}: ${name} row ${Math.floor(i / dim)} component ${i % dim} is ${v} (only finite values are allowed)`);
    }
  }
  return values.length / dim;
}

/** Throws unless `id` names a stored row. */
export function checkId(id: number, size: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= size) {
    throw new Error(`reconstruct: id ${id} is out of range (index holds ${size} vectors)`);
  }
}
