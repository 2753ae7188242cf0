/**
 * DockerStreamDemux (sandbox/drivers/docker-demux.ts): Docker's multiplexed attach stream, cut
 * into chunks anywhere, gives back exactly the kept stream's bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerStreamDemux } from '../../sandbox/drivers/docker-demux.ts';

function frame(type: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[], keep: 1 | 2): Promise<Buffer> {
  const d = new DockerStreamDemux(keep);
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  for (const c of chunks) d.write(c);
  d.end();
  await new Promise((resolve) => d.on('end', resolve));
  return Buffer.concat(out);
}

describe('DockerStreamDemux', () => {
  const frames = [frame(1, Buffer.from('pcap header ')), frame(2, Buffer.from('tcpdump: listening')), frame(1, Buffer.alloc(0)), frame(1, Buffer.from('record one ')), frame(1, Buffer.alloc(300, 7))];
  const stream = Buffer.concat(frames);
  const stdout = Buffer.concat([Buffer.from('pcap header '), Buffer.from('record one '), Buffer.alloc(300, 7)]);

  it('keeps stdout and drops stderr, however the stream is cut', async () => {
    for (let cut = 1; cut < stream.length; cut++) {
      for (const size of [1, 3, 7, 8, 9, 64]) {
        const chunks = [stream.subarray(0, cut), ...Array.from({ length: Math.ceil((stream.length - cut) / size) }, (_, i) => stream.subarray(cut + i * size, cut + (i + 1) * size))];
        assert.deepEqual(await demux(chunks, 1), stdout, `cut at ${cut}, then chunks of ${size}`);
      }
    }
  });

  it('keeps stderr when asked', async () => {
    assert.equal((await demux([stream], 2)).toString(), 'tcpdump: listening');
  });
});
