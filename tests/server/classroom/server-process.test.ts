/**
 * The classroom with the server as its own process, as a host runs it: the password reset link is
 * printed in the server's log and works once; and no acknowledged check is lost when the server is
 * killed with SIGKILL in the middle of a burst of checks (real bwrap labs, real checkers).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { openSqliteStore } from '../../../server/classroom/store/sqlite.ts';
import { toLocalInput } from '../../../server/classroom/time.ts';
import { FormClient } from '../../support/form-client.ts';
import { createLab } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { ROOT } from '../../support/examples.ts';

interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  waitForLog(test: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'sl-data-'));
const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `node server/main.ts` on a free port with the test's data folder (the burst of checks far past the per-student limit). */
async function startServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SANDBOX_DRIVER: 'bwrap', SANDBOX_INSTANCE: `crash-${process.pid}`, DATA_DIR: dataDir, STATE_DIR: stateDir, LOG_LEVEL: 'info', MAX_LABS_PER_CLIENT: '100', LAB_WARM_POOL: '0', TIME_ZONE: 'UTC', CHECKS_PER_MINUTE: '10000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of waiters) wake();
    } catch {} // Astro's own plain-text warnings
  });
  const waitForLog = (test: (line: Record<string, unknown>) => boolean, ms = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const look = () => {
        const found = logs.find(test);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(look);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(look);
        reject(new Error(`no such log line in ${ms} ms; the server logged:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
      }, ms);
      waiters.add(look);
      look();
    });
  const ready = await waitForLog((l) => typeof l.port === 'number' && /^Socket Lab on/.test(String(l.msg)));
  return { child, base: `http://127.0.0.1:${ready.port}`, logs, waitForLog };
}

const PASSWORD = 'correct horse battery';

describe('the server as a process', () => {
  it('prints a one-time password reset link in its log when no mail is configured', async () => {
    const server = await startServerProcess();
    try {
      const email = `reset-${process.pid}@example.org`;
      assert.equal((await new FormClient(server.base).post('/account/signup/', { email, name: 'R', password: PASSWORD })).status, 303);
      const asked = await new FormClient(server.base).post('/account/forgot/', { email });
      assert.equal(asked.status, 200);
      assert.match(asked.text, /the link is in the server&#39;s log/);
      const line = await server.waitForLog((l) => typeof l.link === 'string');
      const link = new URL(String(line.link));
      assert.match(String(line.msg), new RegExp(`password reset link for ${email}`));

      const user = new FormClient(server.base);
      const set = await user.post(link.pathname, { password: 'a brand new password', confirm: 'a brand new password' });
      assert.equal(set.status, 303, set.text);
      assert.equal((await new FormClient(server.base).post('/account/signin/', { email, password: PASSWORD })).status, 401, 'the old password no longer works');
      assert.equal((await new FormClient(server.base).post('/account/signin/', { email, password: 'a brand new password' })).status, 303);
      const again = await new FormClient(server.base).post(link.pathname, { password: 'yet another password', confirm: 'yet another password' });
      assert.equal(again.status, 410, 'the link works once');
      assert.match(again.text, /This reset link has been used or is more than an hour old/);
      const unknown = await new FormClient(server.base).post('/account/forgot/', { email: 'nobody@example.org' });
      assert.equal(unknown.status, 200, 'the same answer whether or not the account exists');
      assert.match(unknown.text, /If an account has this email/);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  });

  it('keeps every check it acknowledged when it is killed with SIGKILL during a burst of checks', async () => {
    let server = await startServerProcess();
    const teacher = new FormClient(server.base);
    assert.equal((await teacher.post('/account/signup/', { email: `burst-${process.pid}@example.org`, name: 'B', password: PASSWORD })).status, 303);
    const made = await teacher.post('/classes/', { name: 'Burst' });
    const classId = Number(/\/classes\/(\d+)\//.exec(made.location ?? '')?.[1]);
    const assignment = await teacher.post(`/classes/${classId}/`, { title: 'Burst', exercises: ['tcp-echo'], opensAt: toLocalInput(Date.now() - 60_000, 'UTC'), dueAt: toLocalInput(Date.now() + 3_600_000, 'UTC'), latePolicy: 'marked-late', solutions: 'after-pass' });
    const base = assignment.location!;
    const page = await teacher.get(`/classes/${classId}/`);
    const code = /data-join-code>([A-Z0-9-]+)</.exec(page.text)![1]!;
    const student = new FormClient(server.base);
    assert.equal((await student.post(`/join/${code}/`, { displayName: 'Sam' })).status, 303);

    const labs: LabTicket[] = [];
    for (let i = 0; i < 3; i++) labs.push(await createLab(server.base));
    const call = (lab: LabTicket, action: string) =>
      student.request(`/api/labs/${lab.labId}/exercises/tcp-echo/${action}`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' }, body: '{"lang":"ts"}' });
    for (const lab of labs) assert.equal((await call(lab, 'start')).status, 200);

    // Four checks at a time per lab, each replaced as it answers, until the server is killed.
    const acknowledged: number[] = [];
    let killed = false;
    const worker = async (lab: LabTicket) => {
      while (!killed) {
        try {
          const res = await call(lab, 'check');
          if (res.status !== 200) continue;
          const body = JSON.parse(res.text) as { saved: boolean; submissionId: number };
          assert.equal(body.saved, true);
          acknowledged.push(body.submissionId);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const workers = labs.flatMap((lab) => Array.from({ length: 4 }, () => worker(lab)));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (acknowledged.length >= 12) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    server.child.kill('SIGKILL');
    killed = true;
    await new Promise((resolve) => server.child.once('exit', resolve));
    await Promise.all(workers);
    const acks = [...acknowledged];
    assert.ok(acks.length >= 12);

    // Every acknowledged id is in the file, for the right learner and exercise.
    const store = openSqliteStore(join(dataDir, 'socketlab.db'));
    const member = (await store.membersOf(classId))[0]!;
    for (const id of acks) {
      const row = await store.submissionById(id);
      assert.ok(row, `submission ${id} was acknowledged but is not in the database`);
      assert.equal(row.learnerId, member.learnerId);
      assert.equal(row.exerciseId, 'tcp-echo');
    }
    await store.close();

    // A new server on the same data folder starts and its dashboard counts them all.
    server = await startServerProcess();
    try {
      const again = new FormClient(server.base);
      for (const [name, value] of teacher.cookies) again.cookies.set(name, value);
      const csv = await again.get(`${base}results.csv`);
      assert.equal(csv.status, 200, csv.text);
      const attempts = Number(csv.text.split('\r\n').find((l) => l.startsWith('Sam,tcp-echo,'))?.split(',')[5]);
      assert.ok(attempts >= acks.length, `the dashboard counts ${attempts} checks; ${acks.length} were acknowledged`);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  });
});
