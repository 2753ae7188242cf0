/**
 * Checker of uds-hygiene: a Unix stream echo server on {socket} that cleans up after itself:
 * replaces a stale socket file, refuses to steal a live one, makes the socket mode 0660, and
 * removes it on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { canConnect, connectUnix, exists, fail, runChecker, show } from '../_lib/checker.ts';

/** Leaves a socket file nobody listens on: a server that dies without unlinking (kill -9). */
function makeStale(path: string): void {
  spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path], { timeout: 3000 });
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'A socket file left by a crashed server makes bind() fail with EADDRINUSE. Before binding, try to connect to the path: ECONNREFUSED means the file is stale, so unlink it and bind; a successful connect means another server is alive, so exit with an error.',
  checks: [
    {
      id: 'stale-file',
      title: 'Starts even when a stale socket file is in the way',
      run: async (t) => {
        makeStale(t.addr.socket);
        const sent = `a stale socket file at ${t.addr.socket} (its server was killed), then started ${show(t.command)}`;
        const staleOk = exists(t.addr.socket) && !(await canConnect(t.addr.socket));
        if (!staleOk) fail(sent, 'a stale file to test with', 'the checker could not make a stale socket file', 'This is the checker\'s fault; check again.');
        const program = t.start();
        // Whatever happens, the next checks start from a clean path.
        t.defer(() => rmSync(t.addr.socket, { force: true }));
        await t.ready(program);
        return { sent, expected: 'your server listening there', got: 'your server is listening there' };
      },
    },
    {
      id: 'echo',
      title: 'Echoes what a client sends',
      run: async (t) => {
        await t.server();
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const sent = 'hello, unix\n';
        await c.write(sent);
        const got = await c.read(sent.length, 2000).catch(() => c.pending);
        if (got.toString() !== sent) fail(show(sent), show(sent), show(got), 'Write back exactly the bytes you read, in a loop until the client closes.');
        return { sent: show(sent), expected: show(sent), got: show(got) };
      },
    },
    {
      id: 'mode-0660',
      title: 'The socket file has mode 0660 (owner and group only)',
      run: async (t) => {
        await t.server();
        const mode = statSync(t.addr.socket).mode & 0o777;
        const got = `mode 0${mode.toString(8)}`;
        if (mode !== 0o660) fail(`stat ${t.addr.socket}`, 'mode 0660', got, 'Connecting to a Unix socket needs write permission on its file. After bind() (Go: Listen, Node: listen), chmod the path to 0660; or set umask(0117) around bind() in C.');
        return { sent: `stat ${t.addr.socket}`, expected: 'mode 0660', got };
      },
    },
    {
      id: 'live-socket',
      title: 'A second copy refuses to take over a live socket',
      timeoutMs: 6000,
      run: async (t) => {
        await t.server();
        const second = t.start();
        const sent = `started a second ${show(t.command)} while the first still runs`;
        const expected = 'the second exits with an error code; the first still answers';
        const exited = await second.exitsWithin(3000);
        const first = await canConnect(t.addr.socket, 1000);
        if (!exited) fail(sent, expected, `the second copy was still running after 3 s${first ? '' : ', and the first can no longer be reached: the second unlinked its socket and took the path'}`, 'Unlink only a stale file: connect first; if the connect succeeds, another server is alive there, so print an error and exit with a non-zero code.');
        if (second.exitCode === 0) fail(sent, expected, 'the second copy exited with code 0', 'Exit with a non-zero code (e.g. 1) when you cannot start: scripts and supervisors look at it.');
        if (!first) fail(sent, expected, 'the second exited, but the first can no longer be reached: its socket file was removed', 'Unlink the path only when connecting to it is refused (ECONNREFUSED): that is the sign nobody listens there.');
        return { sent, expected, got: `the second ${second.describeExit().replace(/^your program /, '')}; the first still answers` };
      },
    },
    {
      id: 'sigterm',
      title: 'On SIGTERM it exits and removes its socket file',
      run: async (t) => {
        const server = await t.server();
        server.signal('SIGTERM');
        const sent = 'SIGTERM to the server';
        const expected = 'it exits within 2 s, and the socket file is gone';
        const exited = await server.exitsWithin(2000);
        const left = exists(t.addr.socket);
        await t.stopServer();
        if (!exited) fail(sent, expected, 'it was still running 2 s later', 'Handle SIGTERM (C: sigaction without SA_RESTART so accept() returns EINTR; Go: signal.Notify; Node: process.on("SIGTERM")), then close the listener, unlink the path and exit.');
        if (left) fail(sent, expected, `it exited, but ${t.addr.socket} is still there`, 'Nothing unlinks a socket file for you when the process ends: remove it in your SIGTERM handling (Go\'s listener.Close() and Node\'s server.close() do, if you call them).');
        return { sent, expected, got: expected };
      },
    },
  ],
});
