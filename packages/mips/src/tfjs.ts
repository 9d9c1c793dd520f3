// @realm/mips/tfjs: the TensorFlow.js search path (matMul + topk on whatever tfjs backend is
// active, e.g. a GPU with tfjs-node-gpu). A separate entry point so that `@realm/mips` itself never
// loads @tensorflow/tfjs-core, which is only an optional peer dependency. Re-exports only.
export { TfjsMipsIndex, TfjsMipsOptionsSchema, type TfjsMipsOptionsInput } from './tfjs-index.js';
