import { describe, expect, test } from 'vitest';
import { BoundedQueue } from '../src/queue.js';

describe('BoundedQueue', () => {
  test('a push into a full queue waits until a consumer takes', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    let thirdDone = false;
    const third = queue.push(3).then(() => (thirdDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(thirdDone).toBe(false);
    expect(await queue.take(1, 0)).toEqual([1]);
    await third;
    expect(thirdDone).toBe(true);
    expect(await queue.take(10, 0)).toEqual([2, 3]);
  });

  test('take waits at most waitMs and then returns what there is', async () => {
    const queue = new BoundedQueue<string>(4);
    const started = Date.now();
    expect(await queue.take(3, 50)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const waiting = queue.take(3, 5000);
    await queue.push('a');
    expect(await waiting).toEqual(['a']);
  });

  test('close wakes producers and refuses later pushes', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const blocked = queue.push(2);
    queue.close();
    expect(await blocked).toBe(false);
    expect(await queue.push(3)).toBe(false);
    expect(await queue.take(5, 0)).toEqual([1]);
  });

  test('capacity must be a positive integer', () => {
    expect(() => new BoundedQueue(0)).toThrow('BoundedQueue: capacity must be a positive integer, got 0');
  });
});
