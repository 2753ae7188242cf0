/**
 * The Packets view's endpoint labels on what the Sockets view's reading really prints: which
 * processes hold a socket bound to an endpoint (exact, wildcard and v4-mapped listeners, not the
 * other transport's), found once, retried a bounded number of reads, at most
 * ENDPOINT_LIMITS.endpoints per view, a hostile command cut short, and looked up again after forget().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointLabels, endpointOwners, MAX_TRIES } from '../../../server/microscope/endpoint-labels.ts';
import { parseSnapshot, type Snapshot } from '../../../server/microscope/sockets-read.ts';
import { ENDPOINT_LIMITS, type PacketEndpointFrame } from '../../../wire/microscope-packets.ts';

/** A print of SOCKETS_SCRIPT: ss lines (inet4, inet6), and [host pid, lab pid, comm, socket inodes] per process. */
function snapshot(inet4: string[], inet6: string[], processes: [number, number, string, number[]][]): Snapshot {
  const lines = ['@inet4', ...inet4, '@inet6', ...inet6, '@unix', '@status'];
  for (const [host, pid, comm] of processes) lines.push(`/proc/${host}/status:Name:\t${comm}`, `/proc/${host}/status:NSpid:\t${host}\t${pid}`);
  lines.push('@fds');
  for (const [host, , , inodes] of processes) inodes.forEach((inode, i) => lines.push(`/proc/${host}/fd ${i + 3} socket:[${inode}]`));
  return parseSnapshot(lines, Infinity);
}

const LISTENER = 'tcp LISTEN 0 5 127.0.0.1:7000 0.0.0.0:* uid:1000 ino:100 sk:1 <->';
const ACCEPTED = 'tcp ESTAB 0 0 127.0.0.1:7000 127.0.0.1:41234 uid:1000 ino:101 sk:2 <->';
const CLIENT = 'tcp ESTAB 0 0 127.0.0.1:41234 127.0.0.1:7000 uid:1000 ino:102 sk:3 <->';

describe('endpointOwners', () => {
  const read = snapshot([LISTENER, ACCEPTED, CLIENT, 'udp UNCONN 0 0 0.0.0.0:7000 0.0.0.0:* uid:1000 ino:103 sk:4 <->'], [], [
    [4000, 7, 'server', [100, 101]],
    [4001, 9, 'client', [102]],
    [4002, 11, 'udpd', [103]],
  ]);

  it('names the processes holding a socket bound to the endpoint, by transport', () => {
    assert.deepEqual(endpointOwners(read, '127.0.0.1:7000', 'tcp'), [{ pid: 7, command: 'server' }]);
    assert.deepEqual(endpointOwners(read, '127.0.0.1:41234', 'tcp'), [{ pid: 9, command: 'client' }]);
    assert.deepEqual(endpointOwners(read, '127.0.0.1:7000', 'udp'), [{ pid: 11, command: 'udpd' }], 'a wildcard UDP socket, not the TCP one');
    assert.deepEqual(endpointOwners(read, '127.0.0.1:9999', 'tcp'), []);
    assert.deepEqual(endpointOwners(read, '[::1]:7000', 'tcp'), [], 'an IPv4 socket takes no IPv6');
  });

  it('matches wildcard, dual-stack and device-bound listeners, and not a TIME_WAIT socket nobody holds', () => {
    const listeners = snapshot(
      ['tcp LISTEN 0 5 0.0.0.0:8000 0.0.0.0:* ino:200 sk:1', 'tcp LISTEN 0 5 127.0.0.1%lo:8001 0.0.0.0:* ino:201 sk:2', 'tcp TIME-WAIT 0 0 127.0.0.1:8003 127.0.0.1:9000 timer:(timewait,59sec,0) ino:0 sk:3'],
      ['tcp LISTEN 0 5 *:8002 *:* ino:202 sk:4', 'tcp ESTAB 0 0 [::ffff:127.0.0.1]:8002 [::ffff:127.0.0.1]:5000 ino:203 sk:5'],
      [[5000, 2, 'a', [200]], [5001, 3, 'b', [201]], [5002, 4, 'c', [202]], [5003, 5, 'worker', [203]]],
    );
    assert.deepEqual(endpointOwners(listeners, '127.0.0.1:8000', 'tcp'), [{ pid: 2, command: 'a' }]);
    assert.deepEqual(endpointOwners(listeners, '[::1]:8000', 'tcp'), []);
    assert.deepEqual(endpointOwners(listeners, '127.0.0.1:8001', 'tcp'), [{ pid: 3, command: 'b' }]);
    assert.deepEqual(endpointOwners(listeners, '127.0.0.1:8002', 'tcp'), [{ pid: 4, command: 'c' }, { pid: 5, command: 'worker' }]);
    assert.deepEqual(endpointOwners(listeners, '[::1]:8002', 'tcp'), [{ pid: 4, command: 'c' }]);
    assert.deepEqual(endpointOwners(listeners, '127.0.0.1:8003', 'tcp'), []);
  });

  it('keeps the lowest pids and cuts a long command short', () => {
    const long = 'x'.repeat(200);
    const many = snapshot([LISTENER], [], Array.from({ length: 6 }, (_, i): [number, number, string, number[]] => [6000 + i, 20 - i, long, [100]]));
    const owners = endpointOwners(many, '127.0.0.1:7000', 'tcp');
    assert.deepEqual(owners.map((o) => o.pid), [15, 16, 17, 18]);
    assert.equal(owners.length, ENDPOINT_LIMITS.owners);
    assert.ok(owners.every((o) => o.command === 'x'.repeat(ENDPOINT_LIMITS.command)));
  });
});

describe('EndpointLabels', () => {
  const empty = snapshot([], [], []);
  const both = snapshot([LISTENER, CLIENT], [], [[4000, 7, 'server', [100]], [4001, 9, 'client', [102]]]);
  const collect = () => {
    const sent: PacketEndpointFrame[] = [];
    return { sent, send: (frame: PacketEndpointFrame) => (sent.push(frame), true) };
  };

  it('labels the endpoints seen since the last read in one read, once each', () => {
    const labels = new EndpointLabels();
    assert.equal(labels.want('127.0.0.1:41234', 'tcp'), true);
    assert.equal(labels.want('127.0.0.1:7000', 'tcp'), true);
    assert.equal(labels.want('127.0.0.1:7000', 'tcp'), false, 'already waiting');
    const { sent, send } = collect();
    labels.label(both, send);
    assert.deepEqual(sent, [
      { v: 1, type: 'packet-endpoint', endpoint: '127.0.0.1:41234', transport: 'tcp', owners: [{ pid: 9, command: 'client' }] },
      { v: 1, type: 'packet-endpoint', endpoint: '127.0.0.1:7000', transport: 'tcp', owners: [{ pid: 7, command: 'server' }] },
    ]);
    assert.equal(labels.waiting, false);
    assert.equal(labels.want('127.0.0.1:7000', 'tcp'), false, 'labelled already');
    labels.label(both, send);
    assert.equal(sent.length, 2, 'nothing sent twice');
  });

  it('waits MAX_TRIES reads for an endpoint whose socket is not listed yet, then gives it up', () => {
    const labels = new EndpointLabels();
    labels.want('127.0.0.1:41234', 'tcp');
    const { sent, send } = collect();
    for (let i = 1; i < MAX_TRIES; i++) labels.label(empty, send);
    assert.equal(labels.waiting, true);
    labels.label(both, send);
    assert.deepEqual(sent.map((f) => f.endpoint), ['127.0.0.1:41234'], 'found on its last try');

    labels.want('127.0.0.1:5555', 'tcp');
    for (let i = 0; i < MAX_TRIES; i++) labels.label(empty, send);
    assert.equal(labels.waiting, false, 'given up');
    assert.equal(labels.want('127.0.0.1:5555', 'tcp'), false, 'not looked up again');
  });

  it('counts a frame the connection could not take as a try', () => {
    const labels = new EndpointLabels();
    labels.want('127.0.0.1:7000', 'tcp');
    let refused = 0;
    labels.label(both, () => (refused++, false));
    assert.equal(labels.waiting, true);
    const { sent, send } = collect();
    labels.label(both, send);
    assert.deepEqual([refused, sent.length], [1, 1]);
  });

  it('looks up at most ENDPOINT_LIMITS.endpoints endpoints, and all again after forget()', () => {
    const labels = new EndpointLabels();
    let wanted = 0;
    for (let port = 1; port <= ENDPOINT_LIMITS.endpoints + 50; port++) if (labels.want(`127.0.0.1:${port}`, 'udp')) wanted++;
    assert.equal(wanted, ENDPOINT_LIMITS.endpoints);
    for (let i = 0; i < MAX_TRIES; i++) labels.label(empty, () => true);
    assert.equal(labels.want('127.0.0.1:7000', 'tcp'), false, 'the given-up endpoints count too');
    labels.forget();
    assert.equal(labels.want('127.0.0.1:1', 'udp'), true);
  });
});
