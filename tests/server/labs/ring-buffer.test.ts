import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer } from '../../../server/labs/ring-buffer.ts';

const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251);

describe('RingBuffer', () => {
  it('replays from any offset it still holds, with no gap and no duplicate', () => {
    const ring = new RingBuffer(100);
    let written = 0;
    for (const size of [30, 50, 1, 77, 13, 99]) {
      ring.write(seq(written, size));
      written += size;
      for (let offset = ring.startOffset; offset <= written; offset++) {
        assert.deepEqual(ring.readFrom(offset), seq(offset, written - offset));
      }
    }
    assert.equal(ring.endOffset, written);
  });

  it('keeps only the tail of a chunk larger than itself', () => {
    const ring = new RingBuffer(10);
    ring.write(seq(0, 25));
    assert.equal(ring.startOffset, 15);
    assert.deepEqual(ring.readFrom(15), seq(15, 10));
  });

  it('says null for offsets it no longer holds or never had', () => {
    const ring = new RingBuffer(10);
    ring.write(seq(0, 25));
    assert.equal(ring.readFrom(14), null);
    assert.equal(ring.readFrom(26), null);
  });
});
