// The trainer's input: pulls serialized examples from one or more generators, interleaving them
// and riding out generators that are down or restarting (waits and retries, logs once per outage).
// Ports the client half of model.get_dynamic_dataset / dataset_from_preprocessors (realm-spec §1.4),
// where failed RPCs are silently dropped and retried forever.
import { ExampleClient } from './protocol.js';
import { sleep } from './watch.js';

export interface ExampleStreamOptions {
  /** Long-poll per call. */
  waitMs?: number;
  /** Pause after a failed call before trying that generator again. */
  retryMs?: number;
  log?: (message: string) => void;
  signal?: AbortSignal;
}

export class ExampleStream {
  private readonly clients: ExampleClient[];
  private readonly down = new Set<string>();
  private next = 0;
  private buffered: Uint8Array[] = [];

  constructor(addresses: readonly string[], private readonly options: ExampleStreamOptions = {}) {
    if (addresses.length === 0) throw new Error('ExampleStream: no generator addresses');
    this.clients = addresses.map((address) => new ExampleClient(address));
  }

  /**
   * Exactly `count` serialized examples (drop_remainder=True batching), or null if aborted. Never
   * throws for unreachable generators: it waits for them to come (back) up.
   */
  async take(count: number): Promise<Uint8Array[] | null> {
    const { waitMs = 2000, retryMs = 1000, log = () => undefined, signal } = this.options;
    while (this.buffered.length < count) {
      if (signal?.aborted) return null;
      const client = this.clients[this.next];
      this.next = (this.next + 1) % this.clients.length;
      try {
        const reply = await client.getExamples(count - this.buffered.length, waitMs);
        if (this.down.delete(client.address)) log(`generator ${client.address} is up again`);
        this.buffered.push(...reply.examples);
      } catch (error) {
        if (!this.down.has(client.address)) {
          this.down.add(client.address);
          log(`generator ${client.address} unavailable (${(error as Error).message.split('\n')[0]}); waiting and retrying`);
        }
        if (this.down.size === this.clients.length) await sleep(retryMs, signal);
      }
    }
    return this.buffered.splice(0, count);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
