/**
 * The pcap reader and packet decoder against tcpdump's own reading of the same capture: real
 * loopback traffic (TCP over IPv4 and IPv6, a UDP datagram to a closed port and its ICMP answer),
 * captured by tcpdump in a network namespace of its own, fed to the reader in awkward chunks.
 * And the export: what writePcap makes, tcpdump reads back exactly as it read the original.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodePacket, tcpFlagNames } from '../../../server/microscope/decode.ts';
import { PcapReader, writePcap, type PcapHeader, type PcapRecord } from '../../../server/microscope/pcap.ts';

const SNAP = 128;
const dir = mkdtempSync(join(tmpdir(), 'sl-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * tcpdump, in a new network namespace, writing pcap to stdout while traffic.py runs; done once the
 * traffic's last packet (the ICMP answer) is through.
 */
async function capture(): Promise<Buffer> {
  const child = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec tcpdump -i lo -n -U --immediate-mode -s "$0" -w -', String(SNAP)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let linkType = 0;
  let icmpSeen: () => void;
  const lastPacket = new Promise<void>((resolve) => (icmpSeen = resolve));
  const watch = new PcapReader(SNAP, (h) => (linkType = h.linkType), (r) => decodePacket(linkType, r.data)?.transport === 'icmp' && icmpSeen());
  child.stdout.on('data', (c: Buffer) => {
    chunks.push(c);
    watch.push(c);
  });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    child.stderr.on('data', (c: Buffer) => {
      said += c.toString();
      if (said.includes('listening on')) resolve();
    });
    child.once('exit', () => reject(new Error(`tcpdump ended: ${said}`)));
  });
  // The traffic runs in tcpdump's namespace.
  const traffic = spawnSync('nsenter', [`--net=/proc/${child.pid}/ns/net`, 'python3', join(import.meta.dirname, 'traffic.py')], { encoding: 'utf8' });
  assert.equal(traffic.status, 0, traffic.stderr);
  await lastPacket;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('close', resolve));
  return Buffer.concat(chunks);
}

/** What tcpdump prints for a pcap file: one line per packet, numbers as they are (-S). */
function tcpdumpRead(file: string): string[] {
  const read = spawnSync('tcpdump', ['-nn', '-tt', '-S', '-r', file], { encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  return read.stdout.trim().split('\n');
}

describe('the pcap reader and decoder read what tcpdump reads', () => {
  let pcap: Buffer;
  let header: PcapHeader | null = null;
  const records: PcapRecord[] = [];
  before(async () => {
    pcap = await capture();
    writeFileSync(join(dir, 'capture.pcap'), pcap);
    const reader = new PcapReader(SNAP, (h) => (header = h), (r) => records.push(r));
    // Chunks of 1, 7, 13, ... bytes: headers and records cut anywhere.
    for (let at = 0, size = 1; at < pcap.length; at += size, size = (size * 7) % 61 + 1) reader.push(pcap.subarray(at, at + size));
  });

  it('finds every packet, with the fields tcpdump prints', () => {
    const lines = tcpdumpRead(join(dir, 'capture.pcap'));
    assert.equal(records.length, lines.length);
    assert.ok(lines.length >= 22, `the traffic makes at least 22 packets (${lines.length})`);
    const kinds = new Set<string>();
    lines.forEach((line, i) => {
      const record = records[i]!;
      const packet = decodePacket(header!.linkType, record.data);
      assert.ok(packet, `packet ${i + 1} decodes: ${line}`);
      const time = /^(\d+)\.(\d{6}) /.exec(line)!;
      assert.equal(record.timeUs, Number(time[1]) * 1e6 + Number(time[2]));
      const tcp = /IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::\d+)?)?(?:, ack (\d+))?.*, length (\d+)$/.exec(line);
      const udp = /IP6? (\S+)\.(\d+) > (\S+)\.(\d+): UDP, length (\d+)$/.exec(line);
      const icmp = /IP (\S+) > (\S+): ICMP (\S+) udp port (\d+) unreachable/.exec(line);
      if (tcp) {
        kinds.add(packet.src.includes(':') ? 'tcp6' : 'tcp4');
        assert.deepEqual([packet.src, packet.srcPort, packet.dst, packet.dstPort], [tcp[1], Number(tcp[2]), tcp[3], Number(tcp[4])], line);
        assert.equal(packet.transport, 'tcp');
        const letters: Record<string, string> = { SYN: 'S', FIN: 'F', RST: 'R', PSH: 'P', ACK: '.', URG: 'U', ECE: 'E', CWR: 'W' };
        assert.deepEqual(tcpFlagNames(packet.tcp!.flags).map((f) => letters[f]).sort(), [...tcp[5]!].sort(), line);
        if (tcp[6]) assert.equal(packet.tcp!.seq, Number(tcp[6]), line);
        if (tcp[7]) assert.equal(packet.tcp!.ack, Number(tcp[7]), line);
        assert.equal(packet.payloadLength, Number(tcp[8]), line);
      } else if (udp) {
        kinds.add('udp');
        assert.deepEqual([packet.transport, packet.src, packet.srcPort, packet.dst, packet.dstPort, packet.payloadLength], ['udp', udp[1], Number(udp[2]), udp[3], Number(udp[4]), Number(udp[5])], line);
        assert.equal(packet.payload.toString(), 'anyone?');
      } else if (icmp) {
        kinds.add('icmp');
        assert.equal(packet.transport, 'icmp');
        assert.equal(packet.note, `UDP port ${icmp[4]} unreachable`);
        assert.equal(packet.about?.dstPort, Number(icmp[4]));
      } else assert.fail(`a line this test does not know: ${line}`);
    });
    assert.deepEqual([...kinds].sort(), ['icmp', 'tcp4', 'tcp6', 'udp']);
    const data = records.map((r) => decodePacket(header!.linkType, r.data)!).filter((p) => p.payloadLength === 7 && p.transport === 'tcp');
    assert.deepEqual(data.map((p) => p.payload.toString('hex')), ['68656c6c6f00ff', '68656c6c6f00ff'], 'payload bytes, binary ones included');
  });

  it('writes an export tcpdump reads exactly as the original', () => {
    writeFileSync(join(dir, 'export.pcap'), writePcap(header!, records));
    assert.deepEqual(tcpdumpRead(join(dir, 'export.pcap')), tcpdumpRead(join(dir, 'capture.pcap')));
  });

  it('refuses a stream that is not pcap, and a record longer than the snap length', () => {
    assert.throws(() => new PcapReader(SNAP, () => {}, () => {}).push(Buffer.alloc(24, 0x41)), /not a pcap stream/);
    const long = writePcap({ linkType: 1, snapLength: 65535 }, [{ timeUs: 0, wireLength: 4000, data: Buffer.alloc(4000) }]);
    assert.throws(() => new PcapReader(SNAP, () => {}, () => {}).push(long), /more than the snap length/);
  });
});
