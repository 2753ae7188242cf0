/**
 * The child process of durability.test.ts: writes submissions to the classroom database as fast as
 * it can and prints one line per acknowledged write, `<id> <learnerId> <exerciseId> <n>`, only
 * after the write resolved. The parent kills it with SIGKILL mid-burst and checks every printed id.
 *
 *   node tests/server/classroom/submit-burst.ts <file> [--ack-before-commit]
 *
 * `--ack-before-commit` is the broken writer the test must catch: it acknowledges rows that sit in
 * an open transaction (buffered, not committed), the way a batching store would.
 */
import { writeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteStore } from '../../../server/classroom/store/sqlite.ts';

const [file, mode] = process.argv.slice(2);
if (!file) throw new Error('usage: submit-burst.ts <file> [--ack-before-commit]');

// Each line is written with writeSync, so it is in the parent's socket before the next write
// starts. (process.stdout.write is asynchronous on the socket Node's spawn gives as stdout: once
// about 190 small writes waited unread, it queued the rest in memory, and the broken writer's loop,
// which never yields, never sent them: the parent waited for ever.) A safety limit ends the burst
// if the parent never kills us.
const deadline = Date.now() + 60_000;
const EXERCISES = ['tcp-echo', 'udp-ping', 'unix-chat', 'http-kv', 'tcp-chat', 'udp-dns'];
let n = 0;

const store = openSqliteStore(file);
const learners: number[] = [];
for (let i = 0; i < 3; i++) learners.push((await store.createLearner({ tokenHash: `burst-${i}`, userId: null })).id);

if (mode === '--ack-before-commit') {
  await store.close();
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  const insert = db.prepare('INSERT INTO submissions (learner_id, exercise_id, lang, passed, total, checks, created_at) VALUES (?, ?, ?, 0, 1, ?, ?) RETURNING id');
  db.exec('BEGIN');
  while (Date.now() < deadline) {
    const k = n++;
    const learnerId = learners[k % learners.length]!;
    const exerciseId = EXERCISES[k % EXERCISES.length]!;
    const { id } = insert.get(learnerId, exerciseId, 'c', JSON.stringify([{ id: `ack-${k}` }]), Date.now()) as { id: number };
    writeSync(1, `${id} ${learnerId} ${exerciseId} ${k}\n`);
  }
  db.exec('COMMIT');
  process.exit(0);
}

/** One caller: submits, waits for the resolve, prints the ack, again. */
async function caller(lang: string): Promise<void> {
  while (Date.now() < deadline) {
    const k = n++;
    const learnerId = learners[k % learners.length]!;
    const exerciseId = EXERCISES[k % EXERCISES.length]!;
    const checks = [{ id: `ack-${k}`, title: 'burst', pass: k % 2 === 0, sent: 'x', expected: 'x', got: 'x', hint: '' }];
    const sub = await store.addSubmission({ learnerId, exerciseId, lang, passed: k % 2 === 0 ? 1 : 0, total: 1, checks });
    writeSync(1, `${sub.id} ${learnerId} ${exerciseId} ${k}\n`);
  }
}

// A tight loop and a few concurrent async callers, as a busy server's requests would be.
await Promise.all([caller('c'), caller('go'), caller('ts'), caller('c')]);
await store.close();
