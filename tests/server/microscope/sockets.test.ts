/**
 * The Sockets view on a real lab, on both drivers: the tcp example's server and client seen as
 * LISTEN, then two ESTABLISHED ends owned by the right processes, then TIME_WAIT on the side that
 * closed first; a Unix stream pair with its path; a process named like a system one shown with its
 * real pid; another lab's sockets never shown; the observer out of the learner's sight and reach.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LabSocket, SocketsFrame } from '../../../wire/microscope.ts';
import { testDrivers } from '../../support/drivers.ts';
import { createLab, TermClient } from '../../support/lab-client.ts';
import { BUILD_MS, run, screen, seen } from '../../support/lab-terminals.ts';
import { MicroscopeClient } from '../../support/microscope-client.ts';
import { initPid } from '../../support/sandboxes.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

/** Starts `command` in `term` through a shell that prints its pid first (then execs it): that pid is the program's. */
async function startWithPid(term: TermClient, label: string, command: string): Promise<number> {
  const from = term.mark;
  term.type(`sh -c 'echo ${label}=$$; exec ${command}'\r`);
  // The echoed command line shows "<label>=$$"; the shell's answer has digits.
  const printed = new RegExp(`${label}=(\\d+)`);
  await term.until(() => printed.test(term.output.subarray(Math.max(0, from - term.outputBase)).toString()), `${label}'s pid`);
  return Number(printed.exec(term.output.subarray(Math.max(0, from - term.outputBase)).toString())![1]);
}

/** Host pids of the observer scripts (`/bin/sh -c <script> observer ...`) in the network namespace of host process `labPid`. */
function observerPids(labPid: number): number[] {
  const net = readlinkSync(`/proc/${labPid}/ns/net`);
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[3] === 'observer' && readlinkSync(`/proc/${p}/ns/net`) === net;
    } catch {
      return false;
    }
  }).map(Number);
}

const tcpPort = (address: string | null) => Number(address?.split(':').at(-1));
const ownedBy = (socket: LabSocket, pid: number) => socket.owners.some((o) => o.pid === pid);
const describeSockets = (frame: SocketsFrame) => JSON.stringify({ processes: frame.processes, sockets: frame.sockets }, null, 1);

for (const driver of testDrivers()) {
  describe(`the Sockets view (${driver})`, { timeout: 240_000 }, () => {
    let server: TestServer;
    let srv: TermClient;
    let cli: TermClient;
    let view: MicroscopeClient;
    let lab: Awaited<ReturnType<typeof createLab>>;
    let serverPid = 0;

    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
      lab = await createLab(server.base);
      [srv, cli] = await Promise.all([TermClient.open(server.base, lab, 'srv'), TermClient.open(server.base, lab, 'cli')]);
      await Promise.all([srv.opened(), cli.opened()]);
      await Promise.all([srv.waitFor('$ '), cli.waitFor('$ ')]);
      const build = await run(srv, '(cd ~/examples/uds-stream/c && gcc -O2 -pthread -o server server.c && gcc -O2 -o client client.c) && cd ~/examples/tcp/c && gcc -O2 -pthread -o server server.c && gcc -O2 -o client client.c', BUILD_MS);
      assert.equal(build.code, 0, `the examples did not build. ${screen(srv)}`);
      view = await MicroscopeClient.open(server.base, lab, 'sockets');
    });

    after(async () => {
      view?.close();
      srv?.close();
      cli?.close();
      await server?.stop();
    });

    it('says hello, then sends a picture', async () => {
      const hello = await view.until((f) => f.type === 'hello', 'hello');
      assert.deepEqual(hello, { v: 1, type: 'hello', view: 'sockets' });
      await view.picture(() => true, 'a first picture');
    });

    it('shows the tcp server LISTEN, the two ESTABLISHED ends, then TIME_WAIT on the side that closed first', async () => {
      serverPid = await startWithPid(srv, 'SERVER', './server 7000');
      await seen(srv, 'listening on', 0);
      const listening = await view.picture((s) => s.some((x) => x.kind === 'tcp' && x.state === 'LISTEN' && tcpPort(x.local) === 7000), 'LISTEN on 7000');
      const listener = listening.sockets.find((x) => x.kind === 'tcp' && x.state === 'LISTEN' && tcpPort(x.local) === 7000)!;
      assert.deepEqual(listener.owners.map((o) => o.pid), [serverPid], describeSockets(listening));
      assert.equal(listener.local, '127.0.0.1:7000');
      assert.equal(listener.peer, null);
      assert.ok(listener.sendQ > 0, `a listener's Send-Q is its backlog: ${JSON.stringify(listener)}`);
      assert.deepEqual(listening.processes.find((p) => p.pid === serverPid), { pid: serverPid, command: 'server' });

      const from = view.frames.length;
      await run(cli, 'cd ~/examples/tcp/c');
      const clientPid = await startWithPid(cli, 'CLIENT', './client 127.0.0.1 7000');
      cli.type('hello\r');
      await seen(cli, 'hello', cli.mark - 200);
      const connected = await view.picture((s) => s.filter((x) => x.kind === 'tcp' && x.state === 'ESTABLISHED').length >= 2, 'two ESTABLISHED ends', 15_000, from);
      const ends = connected.sockets.filter((x) => x.kind === 'tcp' && x.state === 'ESTABLISHED');
      const serverEnd = ends.find((x) => tcpPort(x.local) === 7000);
      const clientEnd = ends.find((x) => tcpPort(x.peer) === 7000);
      assert.ok(serverEnd && clientEnd, describeSockets(connected));
      assert.ok(ownedBy(serverEnd, serverPid) && !ownedBy(serverEnd, clientPid), `the server's end is the server's: ${describeSockets(connected)}`);
      assert.deepEqual(clientEnd.owners.map((o) => o.pid), [clientPid], describeSockets(connected));
      assert.equal(serverEnd.peer, clientEnd.local, 'each end names the other');
      assert.equal(clientEnd.peer, serverEnd.local);

      // Ctrl-D: the client half-closes first, so its end is the one left in TIME_WAIT.
      cli.type('\x04');
      const closed = await view.picture((s) => s.some((x) => x.state === 'TIME_WAIT'), 'TIME_WAIT', 15_000, from);
      const waiting = closed.sockets.filter((x) => x.state === 'TIME_WAIT');
      assert.deepEqual(waiting.map((x) => x.local), [clientEnd.local], `TIME_WAIT is on the client's side: ${describeSockets(closed)}`);
      assert.deepEqual(waiting[0]!.owners, [], 'a TIME_WAIT socket has no owner');
      assert.ok(waiting[0]!.secondsLeft! > 0 && waiting[0]!.secondsLeft! <= 60, JSON.stringify(waiting[0]));
    });

    it('shows both ends of a Unix stream pair, with the socket path', async () => {
      const path = '/tmp/microscope.sock';
      const from = view.frames.length;
      await run(cli, 'cd ~/examples/uds-stream/c');
      const udsServer = await startWithPid(cli, 'UDSSERVER', `./server ${path} > /dev/null`);
      const third = await TermClient.open(server.base, lab, 'third');
      await third.opened();
      await third.waitFor('$ ');
      await run(third, 'cd ~/examples/uds-stream/c');
      const udsClient = await startWithPid(third, 'UDSCLIENT', `./client ${path}`);
      third.type('hi\r');
      const pair = await view.picture(
        (s) => s.some((x) => x.kind === 'unix-stream' && x.state === 'ESTABLISHED' && x.local === path) && s.some((x) => x.kind === 'unix-stream' && x.state === 'ESTABLISHED' && x.peer === path),
        'a connected Unix stream pair',
        15_000,
        from,
      );
      const listener = pair.sockets.find((x) => x.kind === 'unix-stream' && x.state === 'LISTEN' && x.local === path);
      assert.ok(listener && ownedBy(listener, udsServer), describeSockets(pair));
      const accepted = pair.sockets.find((x) => x.kind === 'unix-stream' && x.state === 'ESTABLISHED' && x.local === path)!;
      const connecting = pair.sockets.find((x) => x.kind === 'unix-stream' && x.state === 'ESTABLISHED' && x.peer === path)!;
      assert.ok(ownedBy(accepted, udsServer), describeSockets(pair));
      assert.deepEqual(connecting.owners.map((o) => o.pid), [udsClient], describeSockets(pair));
      assert.equal(connecting.local, 'unnamed');
      assert.equal(connecting.peerId, accepted.id);
      assert.equal(accepted.peerId, connecting.id);
      third.type('\x04');
      third.close();
      cli.type('\x03');
      await seen(cli, '$ ', cli.mark);
    });

    it('shows a process named like a system one with its real pid', async () => {
      const from = view.frames.length;
      // bash names itself "systemd" (its comm), then holds a TCP connection to the server on fd 3.
      const pid = await startWithPid(cli, 'RENAMED', `bash -c "printf systemd > /proc/\\$\\$/comm; exec 3<>/dev/tcp/127.0.0.1/7000; read -r line"`);
      const renamed = await view.picture((s, f) => f.processes.some((p) => p.command === 'systemd') && s.some((x) => tcpPort(x.peer) === 7000 && ownedBy(x, pid)), 'the renamed process', 15_000, from);
      assert.deepEqual(renamed.processes.filter((p) => p.command === 'systemd'), [{ pid, command: 'systemd' }], describeSockets(renamed));
      const held = renamed.sockets.find((x) => tcpPort(x.peer) === 7000 && ownedBy(x, pid))!;
      assert.deepEqual(held.owners, [{ pid, fd: 3 }]);
      assert.notEqual(pid, 1, 'it is not the lab init');
      cli.type('\r');
    });

    it("never shows another lab's sockets", async () => {
      const other = await createLab(server.base);
      const term = await TermClient.open(server.base, other, 'main');
      await term.opened();
      await term.waitFor('$ ');
      const otherPid = await startWithPid(term, 'OTHER', 'nc -l 127.0.0.1 7300');
      const otherView = await MicroscopeClient.open(server.base, other, 'sockets');
      await otherView.picture((s) => s.some((x) => tcpPort(x.local) === 7300 && ownedBy(x, otherPid)), "the other lab's listener");
      // A picture of this lab taken after the other lab's listener was seen: it is not in it.
      const from = view.frames.length;
      const minePid = await startWithPid(cli, 'MINE', 'nc -l 127.0.0.1 7301');
      const mine = await view.picture((s) => s.some((x) => tcpPort(x.local) === 7301 && ownedBy(x, minePid)), 'a listener of this lab', 15_000, from);
      assert.ok(!mine.sockets.some((x) => tcpPort(x.local) === 7300), describeSockets(mine));
      cli.type('\x03');
      assert.ok(!otherView.latest!.sockets.some((x) => tcpPort(x.local) === 7000), `the other lab sees none of this lab's sockets: ${describeSockets(otherView.latest!)}`);
      otherView.close();
      term.close();
    });

    it("is out of the learner's sight and reach", async () => {
      const inside = await run(cli, 'ps -eo pid,args');
      assert.doesNotMatch(inside.output, /\bss\b|observer|find \/proc/, `the observer is visible in the lab:\n${inside.output}`);
      // Its pid on the host names nothing in the lab: a signal sent to it from inside reaches nobody.
      const observers = observerPids(initPid(driver, server.config.SANDBOX_INSTANCE, lab.labId));
      assert.equal(observers.length, 1, 'one observer runs for the open view');
      const kill = await run(cli, `kill -KILL ${observers[0]}`);
      assert.notEqual(kill.code, 0, `kill from inside the lab should fail. ${screen(cli)}`);
      assert.match(kill.output, /No such process/);
      const from = view.frames.length;
      const pid = await startWithPid(cli, 'LATER', 'nc -l 127.0.0.1 7302');
      await view.picture((s) => s.some((x) => tcpPort(x.local) === 7302 && ownedBy(x, pid)), 'a picture after the attempt', 15_000, from);
      cli.type('\x03');
    });

    it('stops with the lab', async () => {
      const res = await fetch(`${server.base}/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${lab.token}` } });
      assert.equal(res.status, 204);
      const ended = await view.until((f) => f.type === 'ended', 'the ended frame');
      assert.deepEqual(ended, { v: 1, type: 'ended', reason: 'killed' });
      await view.until(() => false, 'the close', 5000).catch(() => {});
      assert.equal(view.closed?.code, 4404);
    });
  });
}
