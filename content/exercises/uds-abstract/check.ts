/**
 * Checker of uds-abstract: a line server on the abstract Unix socket @{name}: "PING" gets "PONG",
 * anything else "ERR unknown command". No file may appear on disk.
 */
import { readdirSync } from 'node:fs';
import { abstractBound, connectUnix, fail, runChecker, show, sleep, writeInPieces } from '../_lib/checker.ts';

const LINE_HINT = 'Read lines, not reads: one read can hold half a line or two lines (C: fdopen + fgets; Go: bufio.Scanner; Node: buffer until "\\n" or use readline). End each answer with "\\n".';

async function talk(t: { addr: { name: string }; defer: (fn: () => void) => void }, chunks: string[], answers: number): Promise<string[]> {
  const c = await connectUnix(`\0${t.addr.name}`);
  t.defer(() => c.close());
  for (const chunk of chunks) {
    await c.write(chunk);
    await new Promise((r) => setTimeout(r, 30));
  }
  const lines: string[] = [];
  for (let i = 0; i < answers; i++) {
    const line = await c.readLine(1500).catch(() => null);
    if (line === null) break;
    lines.push(line);
  }
  return lines;
}

await runChecker({
  readiness: (a) => ({ abstract: a.name }),
  notReadyHint: 'Is the address abstract? It starts with a NUL byte: sun_path[0] = 0 and an exact address length (C), "@" + name (Go), "\\0" + name (Node). Without it you bind a file of that name instead (look at ls).',
  checks: [
    {
      id: 'abstract',
      title: 'Listens on an abstract name, with no file on disk',
      run: async (t) => {
        await t.server();
        const files = readdirSync(t.cwd).filter((f) => f.includes(t.addr.name));
        const expected = `@${t.addr.name} in /proc/net/unix, and no file of that name`;
        if (!abstractBound(t.addr.name)) fail(`started ${show(t.command)}`, expected, `no socket @${t.addr.name}`, 'An abstract address starts with a NUL byte: sun_path[0] = 0 (C), "@name" (Go), "\\0name" (Node).');
        if (files.length > 0) fail(`started ${show(t.command)}`, expected, `a file ${show(files[0]!)} appeared in your folder`, 'An abstract socket has no file: in C, do not copy "@" into sun_path; pass the exact address length (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)).');
        return { sent: `started ${show(t.command)}`, expected, got: expected };
      },
    },
    {
      id: 'ping',
      title: 'Answers "PING" with "PONG"',
      run: async (t) => {
        await t.server();
        const got = await talk(t, ['PING\n'], 1);
        if (got[0] !== 'PONG') fail('"PING\\n"', '"PONG\\n"', got.length ? show(got[0]!) : 'no line within 1.5 s', LINE_HINT);
        return { sent: '"PING\\n"', expected: '"PONG\\n"', got: '"PONG\\n"' };
      },
    },
    {
      id: 'split-line',
      title: 'Answers a line that arrives in two pieces',
      run: async (t) => {
        await t.server();
        const got = await talk(t, ['PI', 'NG\n'], 1);
        if (got[0] !== 'PONG') fail('"PI", then "NG\\n"', '"PONG\\n"', got.length ? show(got[0]!) : 'no line within 1.5 s', LINE_HINT);
        return { sent: '"PI", then "NG\\n"', expected: '"PONG\\n"', got: '"PONG\\n"' };
      },
    },
    {
      id: 'two-lines',
      title: 'Answers two lines sent in one write',
      run: async (t) => {
        await t.server();
        const got = await talk(t, ['PING\nPING\n'], 2);
        if (got.length !== 2 || got.some((l) => l !== 'PONG')) fail('"PING\\nPING\\n" in one write', 'two "PONG" lines', got.length ? got.map((l) => show(l)).join(', ') : 'nothing', LINE_HINT);
        return { sent: '"PING\\nPING\\n" in one write', expected: 'two "PONG" lines', got: 'two "PONG" lines' };
      },
    },
    {
      id: 'unknown',
      title: 'Answers any other line with "ERR unknown command"',
      run: async (t) => {
        await t.server();
        const got = await talk(t, ['HELLO\n', 'PING\n'], 2);
        const expected = '"ERR unknown command", then "PONG"';
        if (got[0] !== 'ERR unknown command' || got[1] !== 'PONG') fail('"HELLO\\n", then "PING\\n"', expected, got.length ? got.map((l) => show(l)).join(', ') : 'nothing', 'Answer every line, known or not, and keep the connection open for the next one.');
        return { sent: '"HELLO\\n", then "PING\\n"', expected, got: expected };
      },
    },
    {
      id: 'longest-line',
      title: 'Answers a line of 65536 bytes, the longest allowed, sent in pieces',
      run: async (t) => {
        await t.server();
        const c = await connectUnix(`\0${t.addr.name}`);
        t.defer(() => c.close());
        const sent = 'a line of 65536 "x" in 8 writes 20 ms apart, then "PING\\n"';
        const expected = '"ERR unknown command", then "PONG"';
        await writeInPieces(c, Buffer.from(`${'x'.repeat(65536)}\nPING\n`), 8, 20).catch(() => {});
        const got: string[] = [];
        for (let i = 0; i < 2; i++) {
          const line = await c.readLine(2000).catch(() => null);
          if (line === null) break;
          got.push(line);
        }
        if (got[0] !== 'ERR unknown command' || got[1] !== 'PONG' || got.length !== 2) {
          fail(sent, expected, got.length ? got.map((l) => show(l)).join(', ') : c.ended ? 'the connection closed with no answer' : 'nothing', 'Lines of up to 65536 bytes are valid and get one answer each: is your line buffer smaller (a fixed array, Go\'s bufio.Scanner, whose default limit is 64 KiB with the newline: set scanner.Buffer)?');
        }
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'concurrent',
      title: 'Answers a client while another one is connected and silent',
      timeoutHint: 'Serve each client on its own (a thread per client in C, a goroutine in Go): a server that talks to one client until it leaves keeps the others waiting.',
      run: async (t) => {
        await t.server();
        const idle = await connectUnix(`\0${t.addr.name}`);
        t.defer(() => idle.close());
        await idle.write('PI');
        await sleep(100);
        const got = await talk(t, ['PING\n'], 1);
        const sent = 'client 1: "PI" and nothing more; client 2: "PING\\n"';
        if (got[0] !== 'PONG') fail(sent, 'client 2 gets "PONG"', got.length ? show(got[0]!) : 'client 2 got no line within 1.5 s', 'Serve each client on its own (a thread per client in C, a goroutine in Go): a server that talks to one client until it leaves keeps the others waiting.');
        return { sent, expected: 'client 2 gets "PONG"', got: 'client 2 gets "PONG"' };
      },
    },
    {
      id: 'end-of-stream',
      title: 'Closes the connection after the client finishes, with nothing after the last answer',
      run: async (t) => {
        await t.server();
        const c = await connectUnix(`\0${t.addr.name}`);
        t.defer(() => c.close());
        await c.write('PING\n');
        c.end();
        const got = await c.readToEnd(2000).catch(() => null);
        const sent = '"PING\\n", then shutdown(SHUT_WR)';
        const expected = '"PONG\\n", then end of stream';
        if (got === null) fail(sent, expected, `the connection stayed open 2 s after the client finished (received ${show(c.pending)})`, 'When the client has finished (read returns 0, io.EOF, the "end" event), close the connection: a loop that ignores end of stream never does.');
        if (got.toString() !== 'PONG\n') fail(sent, expected, `${show(got)}, then end of stream`, 'Send exactly the answer\'s bytes (its length, not the size of your buffer), and nothing else.');
        return { sent, expected, got: expected };
      },
    },
  ],
});
