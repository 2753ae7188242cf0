/**
 * Starts a real Socket Lab server (real bwrap sandboxes, its own classroom database) on a free port for a test file, with
 * short limits where a test needs them, and stops it afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/main.ts';

let started = 0;

export type TestServer = Awaited<ReturnType<typeof startServer>> & { base: string };

/** Each test server gets its own sandbox instance, so test files can run side by side. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({
    SANDBOX_INSTANCE: `test-${process.pid}-${++started}`,
    SANDBOX_DRIVER: 'bwrap',
    PORT: '0',
    HOST: '127.0.0.1',
    STATE_DIR: mkdtempSync(join(tmpdir(), 'sl-state-')),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sl-data-')), // a fresh classroom database per server
    MAX_LABS_PER_CLIENT: '1000',
    MAX_LABS: '1000',
    // No warm pool unless a test asks for one: a pool fills at start, so every test server would
    // start sandboxes (on Docker, containers and shells) that its test never uses.
    LAB_WARM_POOL: '0',
    ...env,
  });
  const app = await startServer(config);
  return { ...app, base: `http://127.0.0.1:${app.port}` };
}
