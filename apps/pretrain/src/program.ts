// What every pre-training program shares: a timestamped log on stderr (the launcher tees it into
// log/<program>.log), an AbortSignal fired by SIGINT/SIGTERM for a clean stop, and the tfjs setup.
import { selectBackend, type BackendName } from '@realm/backend';

export interface ProgramContext {
  name: string;
  log(message: string): void;
  signal: AbortSignal;
}

/** A context whose signal aborts on SIGINT/SIGTERM (a second signal exits at once). */
export function programContext(name: string, options: { signal?: AbortSignal; log?: (line: string) => void } = {}): ProgramContext {
  const write = options.log ?? ((line: string) => console.error(line));
  const log = (message: string): void => write(`${new Date().toISOString()} ${name}: ${message}`);
  if (options.signal) return { name, log, signal: options.signal };
  const controller = new AbortController();
  const stop = (signalName: string): void => {
    if (controller.signal.aborted) process.exit(130);
    log(`${signalName}: stopping`);
    controller.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return { name, log, signal: controller.signal };
}

/** Activates the configured tfjs backend (with gradients registered) and logs the choice. */
export async function setupTfjs(backend: 'auto' | BackendName, context: Pick<ProgramContext, 'log'>): Promise<BackendName> {
  const selected = await selectBackend({ preferred: backend === 'auto' ? undefined : backend, log: (line) => context.log(line.replace(/^realm: /, '')) });
  return selected.name;
}
