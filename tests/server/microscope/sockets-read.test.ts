/**
 * The Sockets view's parser, on what ss and the observer script really print: the kernel's facts
 * taken, attribution only through the lab's /proc/<pid>/fd, and a Unix path that holds a newline
 * (the one thing in ss's output a learner writes) unable to forge or claim a socket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSnapshot } from '../../../server/microscope/sockets-read.ts';

const print = (...sections: [string, string[]][]) => sections.flatMap(([name, lines]) => [name, ...lines]);

describe('parseSnapshot', () => {
  it('reads TCP, TIME_WAIT timers, Unix pairs, owners and commands', () => {
    const snapshot = parseSnapshot(
      print(
        ['@inet4', [
          'tcp   LISTEN     0      5            127.0.0.1:7000      0.0.0.0:*    uid:1000 ino:100 sk:1 cgroup:/ <->',
          'tcp   TIME-WAIT  0      0            127.0.0.1:51000   127.0.0.1:7000 timer:(timewait,1min2sec,0) ino:0 sk:2',
        ]],
        ['@inet6', ['udp   UNCONN     0      0                 [::1]:5353         [::]:*    uid:1000 ino:101 sk:3 cgroup:/ v6only:1 <->']],
        ['@unix', [
          'u_str LISTEN 0 4096 /tmp/echo.sock 200 * 0 <->',
          'u_str ESTAB 0 0 /tmp/echo.sock 201 * 202 <->',
          'u_str ESTAB 0 0 * 202 * 201 <->',
        ]],
        ['@status', ['/proc/4000/status:Name:\tserver', '/proc/4000/status:NSpid:\t4000\t7', '/proc/4001/status:Name:\tsystemd', '/proc/4001/status:NSpid:\t4001\t9']],
        ['@fds', ['/proc/4000/fd 3 socket:[100]', '/proc/4000/fd 4 socket:[200]', '/proc/4000/fd 5 socket:[201]', '/proc/4001/fd 3 socket:[202]', '/proc/4001/fd 4 socket:[101]']],
      ),
      2000,
    );
    assert.deepEqual(snapshot.processes, [{ pid: 7, command: 'server' }, { pid: 9, command: 'systemd' }]);
    const byId = new Map(snapshot.sockets.map((s) => [s.id, s]));
    assert.deepEqual(byId.get('tcp:100'), { id: 'tcp:100', kind: 'tcp', ipVersion: 4, state: 'LISTEN', local: '127.0.0.1:7000', peer: null, recvQ: 0, sendQ: 5, owners: [{ pid: 7, fd: 3 }] });
    const waiting = byId.get('tcp:127.0.0.1:51000>127.0.0.1:7000')!;
    assert.equal(waiting.state, 'TIME_WAIT');
    assert.equal(waiting.secondsLeft, 62);
    assert.deepEqual(waiting.owners, []);
    assert.equal(byId.get('udp:101')!.ipVersion, 6);
    assert.equal(byId.get('udp:101')!.state, 'UNCONN');
    assert.deepEqual(byId.get('unix-stream:202'), { id: 'unix-stream:202', kind: 'unix-stream', state: 'ESTABLISHED', local: 'unnamed', peer: '/tmp/echo.sock', peerId: 'unix-stream:201', recvQ: 0, sendQ: 0, owners: [{ pid: 9, fd: 3 }] });
    assert.equal(byId.get('unix-stream:201')!.peer, 'unnamed');
  });

  it('does not let a Unix path with a newline forge a socket or claim another', () => {
    // bind("/tmp/a\nu_str ESTAB 0 0 /fake 300 * 0 <->\nu_str LISTEN 0 5 /x") prints as three lines; the real inode is 300.
    const snapshot = parseSnapshot(
      print(
        ['@inet4', []],
        ['@unix', ['u_str LISTEN 0 5 /tmp/a', 'u_str ESTAB 0 0 /fake 300 * 0 <->', 'u_str LISTEN 0 5 /x 300 * 0 <->', 'u_str ESTAB 0 0 /tmp/real 301 * 0 <->']],
        ['@status', ['/proc/5/status:Name:\tsh', '/proc/5/status:NSpid:\t5\t2']],
        ['@fds', ['/proc/5/fd 3 socket:[300]', '/proc/5/fd 4 socket:[301]']],
      ),
      2000,
    );
    assert.deepEqual(snapshot.sockets.map((s) => s.id), ['unix-stream:301'], 'the two lines claiming 300 are both left out; the fragment without an inode too');
  });

  it('caps the sockets and counts the rest', () => {
    const lines = Array.from({ length: 5 }, (_, i) => `tcp LISTEN 0 5 127.0.0.1:${7000 + i} 0.0.0.0:* ino:${10 + i}`);
    const snapshot = parseSnapshot(print(['@inet4', lines]), 3);
    assert.equal(snapshot.sockets.length, 3);
    assert.equal(snapshot.more, 2);
  });
});
