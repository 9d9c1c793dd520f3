// Checkpoint file I/O shared by the REALM trainer checkpoints and the saved ORQA models: named
// state tensors to and from a TF tensor-bundle checkpoint (counters as int64 like TF's global_step,
// everything else float32) and the zod-checked JSON config beside them. Atomic directory
// replacement is @realm/data's writeDirectoryAtomically. No upstream counterpart (tf.train.Saver).
import { readFile, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointReader, writeCheckpoint, type TensorToWrite } from '@realm/data';
import { z } from 'zod';

/**
 * Writes `state` as the checkpoint `prefix`.{index,data-00000-of-00001}, in the map's order:
 * tensors named in `counterNames` as int64 scalars, every other tensor as float32 (`owner`
 * prefixes the error for any other dtype).
 */
export async function writeStateCheckpoint(prefix: string, state: ReadonlyMap<string, tf.Tensor>, counterNames: readonly string[], owner: string): Promise<void> {
  const tensors: Array<[string, TensorToWrite]> = [];
  for (const [name, tensor] of state) {
    if (counterNames.includes(name)) {
      const value = (await tensor.data())[0];
      tensors.push([name, { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(value)) }]);
    } else if (tensor.dtype === 'float32') {
      tensors.push([name, { dtype: 'float32', shape: tensor.shape, data: (await tensor.data()) as Float32Array }]);
    } else {
      throw new Error(`${owner}: state tensor "${name}" is ${tensor.dtype}, expected float32`);
    }
  }
  await writeCheckpoint(prefix, tensors);
}

/**
 * Reads every tensor of checkpoint `prefix` (CRC-checked): float32 as float32, int64 as int32
 * (counters). `what` names the checkpoint kind in the error for any other dtype. The tensors
 * belong to the caller; on an error none stay allocated.
 */
export async function readStateCheckpoint(prefix: string, what: string): Promise<Map<string, tf.Tensor>> {
  const reader = await CheckpointReader.open(prefix);
  const state = new Map<string, tf.Tensor>();
  try {
    for (const entry of reader.list()) {
      const tensor = await reader.read(entry.name);
      if (tensor.dtype === 'int64') {
        state.set(entry.name, tf.tensor(Array.from(tensor.values as BigInt64Array, Number), tensor.shape, 'int32'));
      } else if (tensor.dtype === 'float32') {
        state.set(entry.name, tf.tensor(tensor.values as Float32Array, tensor.shape, 'float32'));
      } else {
        throw new Error(`${reader.indexPath}: tensor "${entry.name}" is ${tensor.dtype}; ${what} holds float32 and int64 only`);
      }
    }
  } catch (error) {
    tf.dispose([...state.values()]);
    throw error;
  } finally {
    await reader.close();
  }
  return state;
}

/** Writes `value` as pretty JSON (two-space indent) with a final newline. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads and validates a JSON file; errors name the file and `what` it should be (e.g. "REALM checkpoint config"). */
export async function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema, what: string): Promise<z.infer<Schema>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read the ${what} (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: invalid ${what}\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** How restoreTrainerState builds and fills a trainer. */
export interface TrainerRestore<Trainer extends { dispose(): void }> {
  /** Reads the state tensors to import (freed by restoreTrainerState). */
  readState(): Promise<Map<string, tf.Tensor>>;
  createTrainer(): Trainer;
  importState(trainer: Trainer, state: ReadonlyMap<string, tf.Tensor>): void;
  /** Frees the already built model when anything fails. */
  disposeModel(): void;
}

/**
 * Reads the state, builds the trainer and imports the state into it. The state is freed either
 * way; on a failure the trainer and the model are freed too and the error is rethrown as
 * `<dir>: cannot restore the <what>: <message>`.
 */
export async function restoreTrainerState<Trainer extends { dispose(): void }>(dir: string, what: string, restore: TrainerRestore<Trainer>): Promise<Trainer> {
  let state: Map<string, tf.Tensor> | undefined;
  try {
    state = await restore.readState();
    const trainer = restore.createTrainer();
    try {
      restore.importState(trainer, state);
    } catch (error) {
      trainer.dispose();
      throw error;
    }
    return trainer;
  } catch (error) {
    restore.disposeModel();
    throw new Error(`${dir}: cannot restore the ${what}: ${(error as Error).message}`, { cause: error });
  } finally {
    if (state) tf.dispose([...state.values()]);
  }
}
