/**
 * Checker of uds-abstract: a line server on the abstract Unix socket @{name}: "PING" gets "PONG",
 * anything else "ERR unknown command". No file may appear on disk.
 */
import { readdirSync } from 'node:fs';
import { abstractBound, connectUnix, fail, runChecker, show } from '../_lib/checker.ts';

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
  ],
});
