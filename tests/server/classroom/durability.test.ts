/**
 * No acknowledged write is lost: a child process (./submit-burst.ts) writes submissions through the
 * store and prints each id once `addSubmission` resolved; it is killed with SIGKILL mid-burst, and
 * every printed id must then be in the file, with its learner and exercise. The same check, run on
 * a writer that acknowledges before committing, must find lost rows: that proves the check can fail.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { openSqliteStore } from '../../../server/classroom/store/sqlite.ts';

const BURST = new URL('./submit-burst.ts', import.meta.url).pathname;
const KILL_AFTER = 200;

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Ack {
  id: number;
  learnerId: number;
  exerciseId: string;
  n: number;
}

/** Runs the burst, SIGKILLs it after KILL_AFTER acks, and returns every complete ack line read. */
function burstAndKill(file: string, mode?: string): Promise<{ acks: Ack[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BURST, file, ...(mode ? [mode] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let pending = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the burst acknowledged only ${acks.length} writes in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!; // a line cut by the kill is not an ack
      for (const line of lines) {
        const [id, learnerId, exerciseId, n] = line.split(' ');
        acks.push({ id: Number(id), learnerId: Number(learnerId), exerciseId: exerciseId!, n: Number(n) });
      }
      if (!killed && acks.length >= KILL_AFTER) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    // 'close': stdout is drained, so every line the child wrote before dying has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed) reject(new Error(`the burst ended by itself (exit ${code}) after ${acks.length} acks; stderr: ${stderr}`));
      else resolve({ acks, signal });
    });
  });
}

/** The acknowledged writes that are not in the file as acknowledged. */
async function lostAcks(file: string, acks: Ack[]): Promise<Ack[]> {
  const store = openSqliteStore(file);
  try {
    const lost: Ack[] = [];
    for (const ack of acks) {
      const sub = await store.submissionById(ack.id);
      if (!sub || sub.learnerId !== ack.learnerId || sub.exerciseId !== ack.exerciseId || sub.checks[0]?.id !== `ack-${ack.n}`) lost.push(ack);
    }
    return lost;
  } finally {
    await store.close();
  }
}

function rowCount(file: string): number {
  const db = new DatabaseSync(file);
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM submissions').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sl-durability-'));
  folders.push(folder);
  return join(folder, 'classroom.db');
}

describe('durability of acknowledged submissions', () => {
  it('keeps every acknowledged submission when the writing process is SIGKILLed mid-burst', async () => {
    const file = tempFile();
    const { acks, signal } = await burstAndKill(file);
    assert.equal(signal, 'SIGKILL', 'the child was still writing when it was killed');
    assert.ok(acks.length >= KILL_AFTER, `${acks.length} acks`);
    assert.equal(new Set(acks.map((a) => a.id)).size, acks.length, 'every ack is a distinct row');

    const lost = await lostAcks(file, acks);
    assert.deepEqual(lost, [], `${lost.length} of ${acks.length} acknowledged submissions were lost`);
    assert.ok(rowCount(file) >= acks.length, `${rowCount(file)} rows for ${acks.length} acks`);

    const db = new DatabaseSync(file);
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    db.close();
  });

  it('catches a writer that acknowledges before committing (the check above can fail)', async () => {
    const file = tempFile();
    const { acks, signal } = await burstAndKill(file, '--ack-before-commit');
    assert.equal(signal, 'SIGKILL');
    const lost = await lostAcks(file, acks);
    assert.ok(lost.length > 0, 'acknowledged but uncommitted rows must be found missing');
    assert.ok(rowCount(file) < acks.length);
  });
});
