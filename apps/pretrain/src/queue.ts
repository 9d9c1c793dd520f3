// The generator's bounded in-memory example queue (example_generator.py's max_queue_size queue):
// the producer waits while it is full (backpressure instead of REALM's drop-after-30-s), and
// consumers take up to N items, waiting a bounded time for the first one.

interface Waiter {
  resolve(): void;
}

export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly notFull: Waiter[] = [];
  private readonly notEmpty: Waiter[] = [];
  private closed = false;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`BoundedQueue: capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds one item, waiting while the queue is full; returns false if the queue was closed. */
  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.notFull.push({ resolve }));
    }
    if (this.closed) return false;
    this.items.push(item);
    this.notEmpty.shift()?.resolve();
    return true;
  }

  /**
   * Takes up to `max` items. When the queue is empty it waits up to `waitMs` for an item and
   * returns [] if none arrives (the RPC answers "nothing yet" rather than hanging forever).
   */
  async take(max: number, waitMs: number): Promise<T[]> {
    if (this.items.length === 0 && !this.closed && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { resolve: () => { clearTimeout(timer); resolve(); } };
        const timer = setTimeout(() => {
          const at = this.notEmpty.indexOf(waiter);
          if (at >= 0) this.notEmpty.splice(at, 1);
          resolve();
        }, waitMs);
        this.notEmpty.push(waiter);
      });
    }
    const taken = this.items.splice(0, Math.min(max, this.items.length));
    for (let i = 0; i < taken.length; i++) this.notFull.shift()?.resolve();
    // Another consumer may still be waiting while items remain.
    if (this.items.length > 0) this.notEmpty.shift()?.resolve();
    return taken;
  }

  /** Wakes every waiter; later pushes are refused and takes return what is left. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.notFull.splice(0), ...this.notEmpty.splice(0)]) waiter.resolve();
  }
}
