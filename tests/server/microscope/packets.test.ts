/**
 * The Packets view on real labs, both drivers, through the documented protocol only: the TCP
 * example's handshake, data and close in order with the right ports; ICMP port unreachable for a
 * UDP datagram to nobody; the endpoints labelled with the processes the Sockets view names for
 * them; a `yes | nc` flood for 10 s (server memory, counts and frame rate stay
 * bounded); the export read by `tcpdump -r`; another lab's packets never appear; and the capture
 * cannot be seen or killed from inside the lab.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { PACKET_LIMITS, type PacketCountsFrame, type PacketEndpointFrame, type PacketFrame } from '../../../wire/microscope-packets.ts';
import { testDrivers } from '../../support/drivers.ts';
import { createLab, TermClient } from '../../support/lab-client.ts';
import { BUILD_MS, begin, run, screen, seen } from '../../support/lab-terminals.ts';
import { MicroscopeClient } from '../../support/microscope-client.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

/** A Packets view connection, keeping every frame it got. */
class PacketsClient {
  readonly packets: PacketFrame[] = [];
  readonly counts: { at: number; frame: PacketCountsFrame }[] = [];
  readonly other: { type: string }[] = [];
  readonly ws: WebSocket;
  private waiters = new Set<() => void>();

  static async open(base: string, lab: LabTicket): Promise<PacketsClient> {
    const res = await fetch(`${base}/api/labs/${lab.labId}/microscope/packets/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
    const body = (await res.json()) as { ticket: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    const client = new PacketsClient(new URL(`/api/labs/${lab.labId}/microscope/packets?ticket=${body.ticket}`, base.replace(/^http/, 'ws')));
    await client.until(() => client.other.some((f) => f.type === 'packet-capture-start'), 'the capture\'s start', 20_000);
    return client;
  }

  private constructor(url: URL) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'packet') this.packets.push(frame as PacketFrame);
      else if (frame.type === 'packet-counts') this.counts.push({ at: Date.now(), frame: frame as PacketCountsFrame });
      else this.other.push(frame);
      for (const wake of this.waiters) wake();
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify({ v: 1, ...frame }));
  }

  until(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} within ${ms} ms; packets: ${this.packets.slice(-20).map((p) => `${p.src}>${p.dst} ${p.flags?.join(',') ?? p.transport}`).join(' | ')}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Host processes running an observer script (`/bin/sh -c <script> observer ...`) in network namespace `netns`. */
function observersIn(netns: string): number[] {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[3] === 'observer' && readlinkSync(`/proc/${pid}/ns/net`) === netns;
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

/** Host processes named tcpdump in network namespace `netns` ("net:[4026532...]"): the lab's capture, on either driver. */
function capturesIn(netns: string): number[] {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'tcpdump' && readlinkSync(`/proc/${pid}/ns/net`) === netns;
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

const tcpOf = (packets: PacketFrame[], port: number) => packets.filter((p) => p.transport === 'tcp' && (p.src.endsWith(`:${port}`) || p.dst.endsWith(`:${port}`)));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap and buffers this process holds after a full collection: what it keeps, not its garbage. */
function retained(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

for (const driver of testDrivers()) describe(`the Packets view on ${driver}`, () => {
  let server: TestServer;
  let lab: LabTicket;
  let term: TermClient;
  let view: PacketsClient;
  const dir = mkdtempSync(join(tmpdir(), 'sl-packets-'));

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600' });
    lab = await createLab(server.base);
    term = await TermClient.open(server.base, lab, 'main');
    await term.opened();
    const build = await run(term, 'cd ~/examples/tcp/c && gcc -O2 -pthread -o server server.c && gcc -O2 -o client client.c', BUILD_MS);
    assert.equal(build.code, 0, screen(term));
    view = await PacketsClient.open(server.base, lab);
  });
  after(async () => {
    view?.close();
    term?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the TCP example\'s handshake, data and close in order, with the right ports', async () => {
    const serving = begin(term, './server 9090 & sleep 0.2');
    await seen(term, 'listening on', await serving.start);
    assert.equal(await serving.done(), 0, screen(term));
    const client = await run(term, 'echo hello | ./client 127.0.0.1 9090');
    assert.equal(client.code, 0, screen(term));
    await view.until(() => tcpOf(view.packets, 9090).filter((p) => p.flags?.includes('FIN')).length >= 2, 'both FINs');
    const conn = tcpOf(view.packets, 9090);
    const client0 = conn[0]!.src;
    assert.match(client0, /^127\.0\.0\.1:\d+$/);
    const from = (p: PacketFrame) => (p.src === client0 ? 'client' : 'server');
    const steps = conn.map((p) => `${from(p)} ${p.flags!.join(' ')}${p.len ? ` len ${p.len}` : ''}`);
    // The handshake, exactly; then the data both ways; then a FIN from each side.
    assert.deepEqual(steps.slice(0, 3), ['client SYN', 'server SYN ACK', 'client ACK'], steps.join('\n'));
    assert.deepEqual([conn[0]!.dst, conn[1]!.src], ['127.0.0.1:9090', '127.0.0.1:9090']);
    assert.deepEqual([conn[0]!.seq, conn[1]!.seq, conn[1]!.ack, conn[2]!.ack], [0, 0, 1, 1], 'relative sequence numbers');
    const data = conn.findIndex((p) => p.len > 0);
    assert.ok(data > 2, steps.join('\n'));
    assert.equal(from(conn[data]!), 'client');
    assert.equal(Buffer.from(conn[data]!.payload, 'hex').toString(), 'hello\n');
    assert.equal(conn[data]!.seq, 1);
    const fins = conn.filter((p) => p.flags!.includes('FIN'));
    assert.deepEqual(fins.map(from).sort(), ['client', 'server'], steps.join('\n'));
    assert.ok(conn.indexOf(fins[0]!) > data, 'the FINs come after the data');
    for (let i = 1; i < view.packets.length; i++) assert.ok(view.packets[i]!.n > view.packets[i - 1]!.n, 'packets come in capture order');
  });

  /**
   * Runs `command` in the background (a client of the server on 9090 that stays connected a few
   * seconds), then gives the `packet-endpoint` frames of both its ends and what the Sockets view
   * says holds the sockets on a port (pids, with their commands).
   */
  async function connectAndLabel(command: string) {
    const sockets = await MicroscopeClient.open(server.base, lab, 'sockets');
    try {
      const from = view.packets.length;
      const started = await run(term, `${command} & sleep 0.3`);
      assert.equal(started.code, 0, screen(term));
      const syn = () => view.packets.slice(from).find((p) => p.dst === '127.0.0.1:9090' && p.flags?.join(' ') === 'SYN');
      await view.until(() => syn() !== undefined, 'the client\'s SYN');
      const clientEnd = syn()!.src;
      const labels = (endpoint: string) => view.other.filter((f): f is PacketEndpointFrame => f.type === 'packet-endpoint' && (f as PacketEndpointFrame).endpoint === endpoint);
      await view.until(() => labels(clientEnd).length > 0 && labels('127.0.0.1:9090').length > 0, 'both ends labelled', 10_000);
      const picture = await sockets.picture((all) => all.some((s) => s.local === clientEnd && s.state === 'ESTABLISHED' && s.owners.length > 0), 'the client\'s socket');
      const holders = (port: string) => {
        const pids = [...new Set(picture.sockets.filter((s) => s.kind === 'tcp' && s.local.endsWith(`:${port}`)).flatMap((s) => s.owners.map((o) => o.pid)))].sort((a, b) => a - b);
        return pids.map((pid) => picture.processes.find((p) => p.pid === pid)!);
      };
      return { output: started.output, clientEnd, clientPort: clientEnd.split(':').at(-1)!, labels, holders };
    } finally {
      sockets.close();
    }
  }

  it('labels the listening port and the client\'s port with the processes the Sockets view names for them', async () => {
    // The client stays connected while its input is open.
    const { clientEnd, clientPort, labels, holders } = await connectAndLabel('(echo labels; sleep 4) | ./client 127.0.0.1 9090 >/dev/null');
    assert.deepEqual(labels(clientEnd), [{ v: 1, type: 'packet-endpoint', endpoint: clientEnd, transport: 'tcp', owners: holders(clientPort) }], 'labelled once');
    assert.deepEqual(labels('127.0.0.1:9090').map((f) => f.owners), [holders('9090')]);
    assert.deepEqual(labels(clientEnd)[0]!.owners.map((o) => o.command), ['client']);
    assert.deepEqual(labels('127.0.0.1:9090')[0]!.owners.map((o) => o.command), ['server']);
  });

  it('labels a process named like a system one with its real pid', async () => {
    // bash names itself "systemd", says its pid, and holds a connection on fd 3 (read is a builtin: no child shares it).
    const { output, clientEnd, clientPort, labels, holders } = await connectAndLabel(`bash -c 'printf systemd > /proc/$$/comm; echo "RENAMED=$$"; exec 3<>/dev/tcp/127.0.0.1/9090; read -t 4 -r line <&3'`);
    const pid = Number(/RENAMED=(\d+)/.exec(output)?.[1]);
    assert.ok(pid > 0, output);
    assert.deepEqual(labels(clientEnd).map((f) => f.owners), [[{ pid, command: 'systemd' }]]);
    assert.deepEqual(holders(clientPort), [{ pid, command: 'systemd' }], 'as the Sockets view says');
  });

  it('shows ICMP port unreachable for a UDP datagram to a closed port', async () => {
    const sent = await run(term, 'echo anyone | nc -u -w1 127.0.0.1 9999; true');
    assert.equal(sent.code, 0, screen(term));
    await view.until(() => view.packets.some((p) => p.transport === 'icmp'), 'the ICMP answer');
    const datagram = view.packets.find((p) => p.transport === 'udp' && p.dst === '127.0.0.1:9999');
    assert.ok(datagram, 'the datagram itself');
    assert.equal(Buffer.from(datagram.payload, 'hex').toString(), 'anyone\n');
    const icmp = view.packets.find((p) => p.transport === 'icmp')!;
    assert.equal(icmp.note, 'UDP port 9999 unreachable');
    // Drawn from the closed port back to the datagram's sender.
    assert.deepEqual([icmp.src, icmp.dst], ['127.0.0.1:9999', datagram.src]);
  });

  it('exports the kept packets as a pcap that tcpdump reads', async () => {
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/microscope/packets.pcap`, { headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.tcpdump.pcap');
    const file = join(dir, 'export.pcap');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const read = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    assert.match(read.stdout, /127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.9090: Flags \[S\]/);
    assert.match(read.stdout, /udp port 9999 unreachable/);
    const wrong = await fetch(`${server.base}/api/labs/${lab.labId}/microscope/packets.pcap`, { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 404, 'a wrong token gets what an unknown lab gets');
  });

  it('never shows another lab\'s packets', async () => {
    const other = await createLab(server.base);
    const otherTerm = await TermClient.open(server.base, other, 'main');
    await otherTerm.opened();
    try {
      const sent = await run(otherTerm, 'echo secret | nc -u -w1 127.0.0.1 9191; true');
      assert.equal(sent.code, 0, screen(otherTerm));
      // A datagram of this lab's own after it: once it is here, the other one would have been too.
      await run(term, 'echo mine | nc -u -w1 127.0.0.1 9192; true');
      await view.until(() => view.packets.some((p) => p.dst.endsWith(':9192')), 'this lab\'s own datagram');
      assert.equal(view.packets.filter((p) => p.src.endsWith(':9191') || p.dst.endsWith(':9191')).length, 0);
    } finally {
      otherTerm.close();
    }
  });

  it('keeps the capture out of the lab\'s sight and reach', async () => {
    const look = await run(term, 'ps -eo comm | grep -c tcpdump; pkill tcpdump; echo "pkill: $?"');
    assert.match(look.output, /^0\r?$/m, `the lab sees no tcpdump. ${screen(term)}`);
    assert.match(look.output, /^pkill: 1\r?$/m, `pkill finds no tcpdump to signal. ${screen(term)}`);
    const before = view.packets.length;
    await run(term, 'echo still | nc -u -w1 127.0.0.1 9193; true');
    await view.until(() => view.packets.length > before && view.packets.some((p) => p.dst.endsWith(':9193')), 'packets after the attempts');
  });

  it('survives a 10 s flood with bounded memory, bounded frames and counts that keep going', async () => {
    const retainedBefore = retained();
    const frames = view.packets.length;
    const started = Date.now();
    const flood = await run(term, 'nc -l 127.0.0.1 9094 >/dev/null & sleep 0.3; timeout 10 sh -c "yes | nc 127.0.0.1 9094"; true', 30_000);
    assert.equal(flood.code, 0, screen(term));
    const seconds = (Date.now() - started) / 1000;
    const during = view.counts.filter((c) => c.at >= started);
    assert.ok(during.length >= 8, `a counts frame every second (${during.length})`);
    const seen = during.map((c) => c.frame.seen);
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]!), 'seen never goes back');
    const last = during.at(-1)!.frame;
    assert.ok(last.seen - during[0]!.frame.seen > PACKET_LIMITS.perSecond * 5, `a flood: ${last.seen - during[0]!.frame.seen} packets`);
    assert.ok(last.dropped > 0, 'past the rate, packets are counted, not sent');
    const sent = view.packets.length - frames;
    assert.ok(sent <= PACKET_LIMITS.perSecond * (seconds + 2), `at most ${PACKET_LIMITS.perSecond} packet frames a second (${sent} in ${seconds.toFixed(1)} s)`);
    assert.ok(last.kept <= PACKET_LIMITS.kept);
    // What the server keeps through a flood, after a full collection (the process's RSS also counts
    // the flood's garbage, which the collector has not yet freed or returned: 40-150 MB here).
    // Measured once the capture has caught up (the count of packets seen has stopped).
    for (let last = -1; view.counts.at(-1)!.frame.seen !== last; ) {
      last = view.counts.at(-1)!.frame.seen;
      await new Promise((resolve) => setTimeout(resolve, 2100));
    }
    const kept = (retained() - retainedBefore) / 1048576;
    assert.ok(kept < 32, `the server kept ${kept.toFixed(1)} MiB more after the flood`);
  });

  it('stops the capture within a second of the view closing', async () => {
    const netns = /net:\[\d+\]/.exec((await run(term, 'readlink /proc/self/ns/net')).output)?.[0];
    assert.ok(netns, screen(term));
    assert.equal(capturesIn(netns).length, 1, 'one tcpdump in the lab\'s network namespace while the view is open');
    view.close();
    const closedAt = Date.now();
    while (capturesIn(netns).length + observersIn(netns).length > 0 && Date.now() - closedAt < 1000) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(capturesIn(netns), [], 'no capture a second after the view closed');
    assert.deepEqual(observersIn(netns), [], 'nor a reading of the lab\'s sockets for its labels');
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/microscope/packets.pcap`, { headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(res.status, 409, 'no export once the view is closed');
  });
});
