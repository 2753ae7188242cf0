/**
 * The Packets view's flow on its own, fed made-up loopback packets: the per-second limit (the rest
 * counted), the ring the export reads, a connection whose frames are refused (counted as dropped),
 * the filter by port and by connection, pause and clear; only the packets sent go on to the
 * endpoint lookup.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PacketFrame } from '../../../wire/microscope-packets.ts';
import { PacketFlow } from '../../../server/microscope/packet-flow.ts';
import type { PcapRecord } from '../../../server/microscope/pcap.ts';

/** An Ethernet + IPv4 + TCP (SYN) packet from 127.0.0.1:`from` to 127.0.0.1:`to`. */
function tcpSyn(from: number, to: number, timeUs = 0): PcapRecord {
  const data = Buffer.alloc(14 + 20 + 20);
  data.writeUInt16BE(0x0800, 12);
  const ip = data.subarray(14);
  ip[0] = 0x45;
  ip.writeUInt16BE(40, 2);
  ip[9] = 6;
  Buffer.from([127, 0, 0, 1, 127, 0, 0, 1]).copy(ip, 12);
  const tcp = ip.subarray(20);
  tcp.writeUInt16BE(from, 0);
  tcp.writeUInt16BE(to, 2);
  tcp.writeUInt32BE(1000, 4);
  tcp[12] = 5 << 4;
  tcp[13] = 0x02;
  return { timeUs, wireLength: data.length, data };
}

function flow(options: { perSecond?: number; kept?: number; accept?: () => boolean; forwarded?: (frame: PacketFrame) => void } = {}) {
  const sent: PacketFrame[] = [];
  const packets = new PacketFlow({
    send: (frame) => {
      if (options.accept && !options.accept()) return false;
      sent.push(JSON.parse(frame) as PacketFrame);
      return true;
    },
    startUs: 0,
    ...options,
  });
  packets.header = { linkType: 1, snapLength: 128 };
  return { packets, sent };
}

describe('the packet flow', () => {
  it('sends at most perSecond packets a second and counts the rest', () => {
    const { packets, sent } = flow({ perSecond: 10 });
    for (let i = 0; i < 50; i++) packets.add(tcpSyn(40000 + i, 9090));
    assert.ok(sent.length <= 20, `${sent.length} sent (a second's boundary may fall inside the loop)`);
    const counts = packets.countsFrame();
    assert.equal(counts.seen, 50);
    assert.equal(counts.forwarded + counts.dropped, 50);
    assert.equal(counts.forwarded, sent.length);
  });

  it('keeps the last `kept` packets for the export, oldest first', () => {
    const { packets } = flow({ kept: 3 });
    for (let i = 1; i <= 5; i++) packets.add(tcpSyn(40000 + i, 9090, i));
    assert.deepEqual(packets.kept().map((r) => r.timeUs), [3, 4, 5]);
    assert.equal(packets.countsFrame().kept, 3);
  });

  it('counts a frame the connection had no room for as dropped', () => {
    const { packets, sent } = flow({ accept: () => false });
    packets.add(tcpSyn(40000, 9090));
    assert.equal(sent.length, 0);
    assert.equal(packets.countsFrame().dropped, 1);
  });

  it('filters by port and by connection, pauses and clears', () => {
    const { packets, sent } = flow();
    packets.apply({ v: 1, type: 'packet-filter', port: 9090, conn: null });
    packets.add(tcpSyn(40000, 9090));
    packets.add(tcpSyn(40001, 7000));
    assert.deepEqual(sent.map((p) => p.dst), ['127.0.0.1:9090']);
    assert.equal(sent[0]!.conn, '127.0.0.1:40000 127.0.0.1:9090');
    packets.apply({ v: 1, type: 'packet-filter', port: null, conn: '127.0.0.1:40001 127.0.0.1:7000' });
    packets.add(tcpSyn(40000, 9090));
    packets.add(tcpSyn(40001, 7000));
    assert.deepEqual(sent.map((p) => p.dst), ['127.0.0.1:9090', '127.0.0.1:7000']);
    packets.apply({ v: 1, type: 'packet-filter', port: null, conn: null });
    packets.apply({ v: 1, type: 'pause', paused: true });
    packets.add(tcpSyn(40002, 9090));
    assert.equal(sent.length, 2, 'nothing is sent while paused');
    assert.equal(packets.countsFrame().held, 3, 'filtered out or paused');
    assert.equal(packets.kept().length, 5, 'but everything is kept');
    packets.apply({ v: 1, type: 'packet-clear' });
    assert.equal(packets.kept().length, 0);
    packets.apply({ v: 1, type: 'pause', paused: false });
    packets.add(tcpSyn(40003, 9090));
    assert.equal(sent.length, 3);
  });

  it('hands on the packets sent, and only those (the endpoint lookup reads nothing for the rest)', () => {
    const handed: number[] = [];
    let room = true;
    const { packets, sent } = flow({ perSecond: 4, accept: () => room, forwarded: (frame) => handed.push(frame.n) });
    packets.add(tcpSyn(40000, 9090));
    room = false;
    packets.add(tcpSyn(40001, 9090));
    room = true;
    packets.apply({ v: 1, type: 'pause', paused: true });
    packets.add(tcpSyn(40002, 9090));
    packets.apply({ v: 1, type: 'pause', paused: false });
    for (let i = 0; i < 5; i++) packets.add(tcpSyn(40003 + i, 9090));
    assert.deepEqual(handed, sent.map((p) => p.n));
    assert.deepEqual(handed.slice(0, 3), [1, 4, 5], 'not the refused one (2), nor the paused one (3)');
    assert.ok(handed.length < 8, `not those past the rate: ${handed.join(' ')}`);
  });
});
