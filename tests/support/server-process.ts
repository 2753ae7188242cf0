/**
 * A Socket Lab server as its own process (`node server/main.ts`, as a host runs it), for tests that
 * measure the server alone: its memory is not mixed with the test's own clients.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { unmountSharedViews } from '../../sandbox/drivers/lab-mounts.ts';
import { ROOT } from './examples.ts';

export interface ServerProcess {
  base: string;
  pid: number;
  /** Its SANDBOX_INSTANCE: what marks its cgroups and containers. */
  instance: string;
  /** The process's resident memory now (VmRSS), in bytes. */
  rssBytes(): number;
  /** SIGTERM (the server ends its labs), SIGKILL if it has not exited after 60 s. */
  stop(): Promise<void>;
}

let started = 0;

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const instance = `test-proc-${process.pid}-${++started}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDBOX_INSTANCE: instance,
      SANDBOX_DRIVER: 'bwrap',
      PORT: '0',
      HOST: '127.0.0.1',
      STATE_DIR: stateDir,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sl-data-')),
      MAX_LABS_PER_CLIENT: '1000',
      MAX_LABS: '1000',
      LOG_LEVEL: 'info', // the start line carries the port
      LAB_WARM_POOL: '0', // as in server-harness.ts: a test or benchmark that wants a pool asks for one
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    // Read to the end, so a full pipe never blocks the server.
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the server did not log its start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (port && line.includes('Socket Lab on')) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    void exited.then(([code]) => reject(new Error(`the server exited (${code}) before it started`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    instance,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
      await unmountSharedViews(join(stateDir, 'shared', instance));
    },
  };
}
