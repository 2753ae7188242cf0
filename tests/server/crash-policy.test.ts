/**
 * The server as its own process (`node server/main.ts`, as a host runs it) meets an error nothing
 * caught: a rejected promise is logged and the server goes on serving; an uncaught exception is
 * logged and the process exits with status 1. The faults come from a module preloaded with
 * --import, on a line written to the server's standard input.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { unmountSharedViews } from '../../sandbox/drivers/lab-mounts.ts';
import { ROOT } from '../support/examples.ts';

const FAULTS = `data:text/javascript,${encodeURIComponent(`
  import { createInterface } from 'node:readline';
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'reject') void Promise.reject(new Error('a rejection nobody handles'));
    if (line === 'throw') setImmediate(() => { throw new Error('an exception nobody catches'); });
  });
`)}`;

type LogLine = { level?: string; msg?: string; port?: number; err?: { message?: string } };

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe('the server process', () => {
  const instance = `crash-policy-${process.pid}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
  // A server that exits on an exception leaves its read-only views of the examples mounted (its next
  // start would replace them); this one never starts again.
  after(() => unmountSharedViews(join(stateDir, 'shared', instance)));

  it('logs a rejection nobody handled and goes on serving; logs an uncaught exception and exits 1', async () => {
    const child = spawn(process.execPath, ['--import', FAULTS, 'server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SANDBOX_DRIVER: 'bwrap',
        SANDBOX_INSTANCE: instance,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'sl-data-')),
        STATE_DIR: stateDir,
        LAB_WARM_POOL: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    running.add(child);
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    void exited.then(() => {
      for (const wake of waiters) wake();
    });
    const logs: LogLine[] = [];
    const waiters = new Set<() => void>();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        return; // Astro's own plain-text lines
      }
      for (const wake of waiters) wake();
    });
    const logged = (test: (line: LogLine) => boolean, what: string) =>
      new Promise<LogLine>((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`${why} before logging ${what}; it logged:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
        const look = () => {
          const found = logs.find(test);
          if (!found && child.exitCode === null) return;
          clearTimeout(timer);
          waiters.delete(look);
          if (found) resolve(found);
          else fail(`the server exited (${child.exitCode})`);
        };
        const timer = setTimeout(() => {
          waiters.delete(look);
          fail('30 s passed');
        }, 30_000);
        waiters.add(look);
        look();
      });

    const ready = await logged((l) => typeof l.port === 'number' && /^Socket Lab on/.test(String(l.msg)), 'the start');
    const base = `http://127.0.0.1:${ready.port}`;

    child.stdin!.write('reject\n');
    const rejection = await logged((l) => l.err?.message === 'a rejection nobody handles', 'the rejection');
    assert.equal(rejection.level, 'error');
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, 'still serving after the rejection');
    const started = await fetch(`${base}/api/labs`, { method: 'POST' });
    assert.equal(started.status, 201, 'still starting labs after the rejection');
    const lab = (await started.json()) as { labId: string; token: string };
    const ended = await fetch(`${base}/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(ended.status, 204);

    child.stdin!.write('throw\n');
    const [code] = await exited;
    assert.equal(code, 1);
    const exception = logs.find((l) => l.err?.message === 'an exception nobody catches');
    assert.equal(exception?.level, 'fatal', 'the exception is logged before the exit');
  });
});
