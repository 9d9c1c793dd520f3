// The tfjs backend for ORQA training and inference: @realm/backend's choice (whose wasm kernel set
// leaves out the buffer-sharing Identity that corrupted the span head's gradients, 2026-11-25).
import { selectBackend, type BackendName } from '@realm/backend';
import type { ProgramContext } from '@realm/pretrain';

/** Activates the backend (with gradients) and returns its name. */
export async function setupOrqaBackend(backend: 'auto' | BackendName, context: Pick<ProgramContext, 'log'>): Promise<BackendName> {
  const selected = await selectBackend({ preferred: backend === 'auto' ? undefined : backend, log: (line) => context.log(line.replace(/^realm: /, '')) });
  return selected.name;
}
