/**
 * Turns (sandbox/drivers/turns.ts), which the Docker driver's starts take: never more than its
 * size at once, first come first served, and a failing task hands its turn on too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Turns } from '../../sandbox/drivers/turns.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns', () => {
  it('runs at most its size at once, the rest in the order they came', async () => {
    const turns = new Turns(3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const release: (() => void)[] = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      turns.run(async () => {
        order.push(i);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return i;
      }),
    );
    await tick();
    assert.equal(running, 3, 'three started at once');
    assert.equal(turns.queued, 7);
    while (release.length > 0) {
      release.shift()!();
      await tick();
      await tick();
    }
    assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'first come, first served');
    assert.equal(most, 3, 'never more than three at once');
  });

  it('hands the turn on when a task fails', async () => {
    const turns = new Turns(1);
    const failed = turns.run(() => Promise.reject(new Error('no engine')));
    const next = turns.run(async () => 'ran');
    await assert.rejects(failed, /no engine/);
    assert.equal(await next, 'ran');
    assert.equal(turns.queued, 0);
  });
});
