/**
 * The SQLite classroom store against real database files: every method's behaviour that callers
 * rely on (duplicates, one-time resets, idempotent joins, ordering, filters), the migrations on
 * reopen and on files it must refuse, hostile strings, and the constraints the schema enforces.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { MIGRATIONS } from '../../../server/classroom/store/migrations.ts';
import { LATEST_VERSION, openSqliteStore, type SqliteStore } from '../../../server/classroom/store/sqlite.ts';
import type { CheckLine } from '../../../wire/lab-api.ts';
import { DuplicateError, type NewAssignment } from '../../../server/classroom/store/types.ts';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sl-store-'));
  folders.push(folder);
  // A subfolder that does not exist yet: the store must create it.
  return join(folder, 'data', 'classroom.db');
}

/** A store on a fresh file with a clock that ticks 1 ms per read, from t0. */
function fresh(t0 = 1_000_000): { store: SqliteStore; file: string; clock: { t: number } } {
  const file = tempFile();
  const clock = { t: t0 };
  const store = openSqliteStore(file, { now: () => clock.t++ });
  return { store, file, clock };
}

async function user(store: SqliteStore, email = 'ada@example.org') {
  return store.createUser({ email, name: 'Ada', passwordHash: 'scrypt$x' });
}

async function classWithOwner(store: SqliteStore, joinCode = 'ABCD2345') {
  const owner = await user(store, `owner-${joinCode}@example.org`);
  return store.createClass({ ownerId: owner.id, name: 'Networks 101', joinCode });
}

const assignmentInput = (classId: number, over: Partial<NewAssignment> = {}): NewAssignment => ({
  classId,
  title: 'Week 1',
  exerciseIds: ['tcp-echo', 'udp-ping', 'unix-chat'],
  opensAt: 1000,
  dueAt: 5000,
  latePolicy: 'closed',
  solutions: 'after-due',
  ...over,
});

const check = (id: string, pass: boolean): CheckLine => ({ id, title: `check ${id}`, pass, sent: 'hello\n', expected: 'hello\n', got: pass ? 'hello\n' : '', hint: pass ? '' : 'Did you write back?' });

function tableNames(file: string): string[] {
  const db = new DatabaseSync(file);
  try {
    return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('users, sessions and resets', () => {
  it('creates users with a lower-cased email and finds them case-insensitively', async () => {
    const { store } = fresh();
    const ada = await store.createUser({ email: 'Ada@Example.ORG', name: 'Ada', passwordHash: 'h1' });
    assert.equal(ada.email, 'ada@example.org');
    assert.deepEqual(await store.userById(ada.id), ada);
    assert.deepEqual(await store.userByEmail('ADA@example.org'), { ...ada, passwordHash: 'h1' });
    assert.equal(await store.userByEmail('bob@example.org'), null);
    assert.equal(await store.userById(ada.id + 100), null);
    await store.close();
  });

  it('refuses a second account with the same email in another case, as DuplicateError(email)', async () => {
    const { store } = fresh();
    await user(store, 'ada@example.org');
    await assert.rejects(store.createUser({ email: 'ADA@EXAMPLE.org', name: 'Other', passwordHash: 'h' }), (err) => err instanceof DuplicateError && err.field === 'email');
    assert.equal((await store.userByEmail('ada@example.org'))!.name, 'Ada');
    await store.close();
  });

  it('sets a password', async () => {
    const { store } = fresh();
    const ada = await user(store);
    await store.setPassword(ada.id, 'scrypt$new');
    assert.equal((await store.userByEmail(ada.email))!.passwordHash, 'scrypt$new');
    await store.close();
  });

  it('keeps sessions (even expired ones) and deletes one or all of a user', async () => {
    const { store } = fresh();
    const ada = await user(store, 'ada@example.org');
    const bob = await user(store, 'bob@example.org');
    const s1 = { tokenHash: 'h-1', userId: ada.id, csrf: 'c1', createdAt: 10, expiresAt: 20 };
    const s2 = { tokenHash: 'h-2', userId: ada.id, csrf: 'c2', createdAt: 11, expiresAt: 99_999_999_999_999 };
    const s3 = { tokenHash: 'h-3', userId: bob.id, csrf: 'c3', createdAt: 12, expiresAt: 30 };
    for (const s of [s1, s2, s3]) await store.createSession(s);
    assert.deepEqual(await store.sessionByTokenHash('h-1'), s1);
    assert.deepEqual(await store.sessionByTokenHash('h-2'), s2);
    assert.equal(await store.sessionByTokenHash('nope'), null);

    await store.deleteSession('h-1');
    assert.equal(await store.sessionByTokenHash('h-1'), null);
    assert.deepEqual(await store.sessionByTokenHash('h-2'), s2);

    await store.deleteSessionsOf(ada.id);
    assert.equal(await store.sessionByTokenHash('h-2'), null);
    assert.deepEqual(await store.sessionByTokenHash('h-3'), s3, "another user's session stays");
    await store.close();
  });

  it('uses a reset token once only, and never after it expires', async () => {
    const { store } = fresh();
    const ada = await user(store);
    await store.createReset({ tokenHash: 'r-1', userId: ada.id, expiresAt: 1000 });
    await store.createReset({ tokenHash: 'r-2', userId: ada.id, expiresAt: 1000 });
    assert.equal(await store.useReset('unknown', 500), null);
    assert.equal(await store.useReset('r-1', 500), ada.id);
    assert.equal(await store.useReset('r-1', 501), null, 'second use');
    assert.equal(await store.useReset('r-2', 1000), null, 'at the expiry instant');
    assert.equal(await store.useReset('r-2', 2000), null, 'after expiry');
    assert.equal(await store.useReset('r-2', 999), ada.id, 'an unused, unexpired token still works');
    await store.close();
  });

  it('uses a reset token once across two connections to the same file', async () => {
    const { store, file } = fresh();
    const ada = await user(store);
    await store.createReset({ tokenHash: 'race', userId: ada.id, expiresAt: 1000 });
    const other = openSqliteStore(file);
    const results = await Promise.all([store.useReset('race', 1), other.useReset('race', 1)]);
    assert.deepEqual(results.sort(), [ada.id, null].sort());
    await other.close();
    await store.close();
  });
});

describe('learners', () => {
  it('finds a learner by device token and by user', async () => {
    const { store } = fresh();
    const ada = await user(store);
    const device = await store.createLearner({ tokenHash: 'dev-1', userId: null });
    const account = await store.createLearner({ tokenHash: null, userId: ada.id });
    assert.equal(device.userId, null);
    assert.equal(account.userId, ada.id);
    assert.deepEqual(await store.learnerByTokenHash('dev-1'), device);
    assert.deepEqual(await store.learnerByUserId(ada.id), account);
    assert.equal(await store.learnerByTokenHash('dev-2'), null);
    assert.equal(await store.learnerByUserId(ada.id + 1), null);
    await store.close();
  });

  it('has at most one learner per user and per device token', async () => {
    const { store } = fresh();
    const ada = await user(store);
    await store.createLearner({ tokenHash: null, userId: ada.id });
    await assert.rejects(store.createLearner({ tokenHash: null, userId: ada.id }), (err) => err instanceof DuplicateError && err.field === 'userId');
    await store.createLearner({ tokenHash: 'dev', userId: null });
    await assert.rejects(store.createLearner({ tokenHash: 'dev', userId: null }), (err) => err instanceof DuplicateError && err.field === 'tokenHash');
    // Several device learners without an account, and several account learners without a device.
    await store.createLearner({ tokenHash: 'dev-b', userId: null });
    const bob = await user(store, 'bob@example.org');
    await store.createLearner({ tokenHash: null, userId: bob.id });
    await store.close();
  });
});

describe('classes and members', () => {
  it('finds classes by id, join code and owner, and refuses a taken join code', async () => {
    const { store } = fresh();
    const owner = await user(store);
    const a = await store.createClass({ ownerId: owner.id, name: 'A', joinCode: 'AAAA2222' });
    const b = await store.createClass({ ownerId: owner.id, name: 'B', joinCode: 'BBBB3333' });
    assert.deepEqual(await store.classById(a.id), a);
    assert.deepEqual(await store.classByJoinCode('BBBB3333'), b);
    assert.equal(await store.classByJoinCode('CCCC4444'), null);
    assert.deepEqual(await store.classesOwnedBy(owner.id), [a, b]);
    assert.deepEqual(await store.classesOwnedBy(owner.id + 1), []);
    await assert.rejects(store.createClass({ ownerId: owner.id, name: 'C', joinCode: 'AAAA2222' }), (err) => err instanceof DuplicateError && err.field === 'joinCode');
    assert.equal((await store.classesOwnedBy(owner.id)).length, 2);
    await store.close();
  });

  it('joins a learner once: a second join returns the same member with the first display name', async () => {
    const { store } = fresh();
    const cls = await classWithOwner(store);
    const learner = await store.createLearner({ tokenHash: 'dev', userId: null });
    const first = await store.addMember({ classId: cls.id, learnerId: learner.id, displayName: 'Grace' });
    const again = await store.addMember({ classId: cls.id, learnerId: learner.id, displayName: 'Someone else' });
    assert.deepEqual(again, first);
    assert.equal(again.displayName, 'Grace');
    assert.deepEqual(await store.memberById(first.id), first);
    assert.deepEqual(await store.membersOf(cls.id), [first]);
    assert.equal(await store.memberById(first.id + 1), null);
    await store.close();
  });

  it('lists members in join order and the memberships of a learner with their classes', async () => {
    const { store } = fresh();
    const c1 = await classWithOwner(store, 'CLASS111');
    const c2 = await classWithOwner(store, 'CLASS222');
    const l1 = await store.createLearner({ tokenHash: 'd1', userId: null });
    const l2 = await store.createLearner({ tokenHash: 'd2', userId: null });
    const m1 = await store.addMember({ classId: c1.id, learnerId: l1.id, displayName: 'One' });
    const m2 = await store.addMember({ classId: c1.id, learnerId: l2.id, displayName: 'Two' });
    const m3 = await store.addMember({ classId: c2.id, learnerId: l1.id, displayName: 'Uno' });
    assert.deepEqual(await store.membersOf(c1.id), [m1, m2]);
    assert.deepEqual(await store.membersOf(c2.id), [m3]);
    assert.deepEqual(await store.membershipsOf(l1.id), [
      { member: m1, classRoom: c1 },
      { member: m3, classRoom: c2 },
    ]);
    assert.deepEqual(await store.membershipsOf(l2.id), [{ member: m2, classRoom: c1 }]);
    const l3 = await store.createLearner({ tokenHash: 'd3', userId: null });
    assert.deepEqual(await store.membershipsOf(l3.id), []);
    await store.close();
  });
});

describe('blocked students', () => {
  it('removes a member and, when asked, blocks their learner from the class until unblocked', async () => {
    const { store } = fresh();
    const c1 = await classWithOwner(store, 'BLOCK111');
    const c2 = await classWithOwner(store, 'BLOCK222');
    const l1 = await store.createLearner({ tokenHash: 'b1', userId: null });
    const l2 = await store.createLearner({ tokenHash: 'b2', userId: null });
    const kept = await store.addMember({ classId: c1.id, learnerId: l1.id, displayName: 'Blocked' });
    const plain = await store.addMember({ classId: c1.id, learnerId: l2.id, displayName: 'Removed' });
    await store.addMember({ classId: c2.id, learnerId: l1.id, displayName: 'Elsewhere' });
    await store.removeMember(kept.id, true);
    await store.removeMember(plain.id);
    assert.deepEqual(await store.membersOf(c1.id), []);
    assert.equal(await store.isBlocked(c1.id, l1.id), true);
    assert.equal(await store.isBlocked(c1.id, l2.id), false, 'removed without blocking');
    assert.equal(await store.isBlocked(c2.id, l1.id), false, 'blocked in one class only');
    const [block] = await store.blocksOf(c1.id);
    assert.deepEqual(block, { classId: c1.id, learnerId: l1.id, displayName: 'Blocked', blockedAt: block!.blockedAt });
    await store.unblock(c1.id, l1.id);
    assert.equal(await store.isBlocked(c1.id, l1.id), false);
    assert.deepEqual(await store.blocksOf(c1.id), []);
    await store.close();
  });
});

describe('assignments and extensions', () => {
  it('creates and updates an assignment keeping the exercise order chosen', async () => {
    const { store } = fresh();
    const cls = await classWithOwner(store);
    const created = await store.createAssignment(assignmentInput(cls.id, { exerciseIds: ['z-last', 'a-first', 'm-middle'] }));
    assert.deepEqual(created.exerciseIds, ['z-last', 'a-first', 'm-middle']);
    assert.equal(created.classId, cls.id);
    assert.deepEqual(await store.assignmentById(created.id), created);

    const update = { title: 'Week 1 (revised)', exerciseIds: ['m-middle', 'new-one'], opensAt: 2000, dueAt: 9000, latePolicy: 'marked-late', solutions: 'always' } as const;
    await store.updateAssignment(created.id, { ...update, exerciseIds: [...update.exerciseIds] });
    assert.deepEqual(await store.assignmentById(created.id), { ...created, ...update, exerciseIds: ['m-middle', 'new-one'] });

    const empty = await store.createAssignment(assignmentInput(cls.id, { title: 'Empty', exerciseIds: [] }));
    assert.deepEqual(empty.exerciseIds, []);
    assert.deepEqual((await store.assignmentsOf(cls.id)).map((a) => a.id), [created.id, empty.id]);
    assert.deepEqual(await store.assignmentsOf(cls.id + 99), []);
    assert.equal(await store.assignmentById(empty.id + 1), null);
    await store.close();
  });

  it('leaves an assignment as it was when its update fails half-way', async () => {
    const { store } = fresh();
    const cls = await classWithOwner(store);
    const created = await store.createAssignment(assignmentInput(cls.id));
    // An unknown late policy breaks the CHECK constraint: nothing of the update may remain.
    await assert.rejects(store.updateAssignment(created.id, { ...assignmentInput(cls.id), title: 'changed', exerciseIds: ['x'], latePolicy: 'whenever' as never }));
    assert.deepEqual(await store.assignmentById(created.id), created);
    await assert.rejects(store.updateAssignment(created.id + 50, assignmentInput(cls.id)), /no assignment/);
    await assert.rejects(store.createAssignment(assignmentInput(cls.id, { solutions: 'never' as never })));
    assert.equal((await store.assignmentsOf(cls.id)).length, 1);
    await store.close();
  });

  it('sets, replaces and removes extensions; removing a member removes theirs', async () => {
    const { store } = fresh();
    const cls = await classWithOwner(store);
    const a = await store.createAssignment(assignmentInput(cls.id));
    const b = await store.createAssignment(assignmentInput(cls.id, { title: 'B' }));
    const l1 = await store.createLearner({ tokenHash: 'd1', userId: null });
    const l2 = await store.createLearner({ tokenHash: 'd2', userId: null });
    const m1 = await store.addMember({ classId: cls.id, learnerId: l1.id, displayName: 'One' });
    const m2 = await store.addMember({ classId: cls.id, learnerId: l2.id, displayName: 'Two' });

    await store.setExtension(a.id, m1.id, 7000);
    await store.setExtension(a.id, m2.id, 8000);
    await store.setExtension(b.id, m1.id, 6000);
    assert.deepEqual(await store.extensionsOf(a.id), [
      { assignmentId: a.id, memberId: m1.id, dueAt: 7000 },
      { assignmentId: a.id, memberId: m2.id, dueAt: 8000 },
    ]);
    await store.setExtension(a.id, m1.id, 7500);
    await store.setExtension(a.id, m2.id, null);
    await store.setExtension(a.id, m2.id, null); // removing what is not there is fine
    assert.deepEqual(await store.extensionsOf(a.id), [{ assignmentId: a.id, memberId: m1.id, dueAt: 7500 }]);
    assert.deepEqual(await store.extensionsOf(b.id), [{ assignmentId: b.id, memberId: m1.id, dueAt: 6000 }]);

    // Removing a member takes their extensions with them, and nobody else's.
    await store.addSubmission({ learnerId: l1.id, exerciseId: 'e1', lang: 'c', passed: 1, total: 1, checks: [] });
    await store.removeMember(m1.id);
    assert.equal(await store.memberById(m1.id), null);
    assert.deepEqual((await store.membersOf(cls.id)).map((m) => m.id), [m2.id]);
    assert.deepEqual(await store.extensionsOf(a.id), []);
    assert.deepEqual(await store.extensionsOf(b.id), []);
    assert.equal((await store.submissionsFor([l1.id], ['e1'])).length, 1, 'the learner\'s record stays');
    await store.close();
  });
});

describe('work: submissions and starts', () => {
  it('round-trips a submission with its check lines', async () => {
    const { store } = fresh();
    const learner = await store.createLearner({ tokenHash: 'd', userId: null });
    const checks = [check('connects', true), { ...check('echoes "quotes" \\ and \u00e9 \n', false), got: '\u0000\u{1F600}' }];
    const sub = await store.addSubmission({ learnerId: learner.id, exerciseId: 'tcp-echo', lang: 'go', passed: 1, total: 2, checks });
    assert.equal(typeof sub.id, 'number');
    assert.deepEqual(sub.checks, checks);
    assert.deepEqual(await store.submissionById(sub.id), sub);
    assert.equal(await store.submissionById(sub.id + 1), null);
    await store.close();
  });

  it('refuses impossible counts', async () => {
    const { store } = fresh();
    const learner = await store.createLearner({ tokenHash: 'd', userId: null });
    const base = { learnerId: learner.id, exerciseId: 'e', lang: 'c', checks: [] };
    await assert.rejects(store.addSubmission({ ...base, passed: -1, total: 2 }));
    await assert.rejects(store.addSubmission({ ...base, passed: 3, total: 2 }));
    await store.addSubmission({ ...base, passed: 0, total: 0 });
    await store.close();
  });

  it('filters submissions by learners and exercises, oldest first', async () => {
    const { store, clock } = fresh();
    const [l1, l2, l3] = [await store.createLearner({ tokenHash: 'a', userId: null }), await store.createLearner({ tokenHash: 'b', userId: null }), await store.createLearner({ tokenHash: 'c', userId: null })];
    const add = (learnerId: number, exerciseId: string) => store.addSubmission({ learnerId, exerciseId, lang: 'ts', passed: 0, total: 1, checks: [check('x', false)] });
    const s1 = await add(l1.id, 'e1');
    const s2 = await add(l2.id, 'e2');
    await add(l3.id, 'e1'); // other learner
    await add(l1.id, 'e3'); // other exercise
    const s5 = await add(l2.id, 'e1');
    // Two at the same millisecond come back in insertion order.
    clock.t -= 1;
    const s6 = await store.addSubmission({ learnerId: l1.id, exerciseId: 'e1', lang: 'c', passed: 1, total: 1, checks: [] });
    assert.equal(s6.createdAt, s5.createdAt);

    const got = await store.submissionsFor([l1.id, l2.id], ['e1', 'e2']);
    assert.deepEqual(got.map((s) => s.id), [s1.id, s2.id, s5.id, s6.id]);
    const { checks, cutFrom, ...summary } = s1;
    assert.deepEqual(got[0], summary, 'the grid query leaves out the check lines');
    assert.equal(cutFrom, null, 'kept whole');
    assert.deepEqual(await store.submissionPage(l1.id, 'e1', { since: 0, offset: 0, limit: 10 }), { total: 2, submissions: [s6, s1] }, 'one cell\'s submissions come with their check lines, newest first');
    assert.deepEqual(checks, [check('x', false)]);
    assert.deepEqual(await store.submissionsFor([], ['e1']), []);
    assert.deepEqual(await store.submissionsFor([l1.id], []), []);
    assert.deepEqual((await store.submissionsFor([l2.id], ['e2'])).map((s) => s.id), [s2.id]);
    await store.close();
  });

  it('pages one learner\'s submissions on an exercise, newest first, from a time on', async () => {
    const { store } = fresh();
    const learner = await store.createLearner({ tokenHash: 'p', userId: null });
    const other = await store.createLearner({ tokenHash: 'q', userId: null });
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await store.addSubmission({ learnerId: learner.id, exerciseId: 'e1', lang: 'c', passed: 0, total: 1, checks: [check(`c${i}`, false)] }));
    await store.addSubmission({ learnerId: other.id, exerciseId: 'e1', lang: 'c', passed: 0, total: 1, checks: [] });
    await store.addSubmission({ learnerId: learner.id, exerciseId: 'e2', lang: 'c', passed: 0, total: 1, checks: [] });
    const newest = [...made].reverse();
    assert.deepEqual(await store.submissionPage(learner.id, 'e1', { since: 0, offset: 0, limit: 3 }), { total: 7, submissions: newest.slice(0, 3) });
    assert.deepEqual(await store.submissionPage(learner.id, 'e1', { since: 0, offset: 6, limit: 3 }), { total: 7, submissions: newest.slice(6) });
    assert.deepEqual(await store.submissionPage(learner.id, 'e1', { since: made[5]!.createdAt, offset: 0, limit: 3 }), { total: 2, submissions: [made[6], made[5]] });
    await store.close();
  });

  it('keeps whether (and from what size) a submission\'s check lines were cut', async () => {
    const { store } = fresh();
    const learner = await store.createLearner({ tokenHash: 'd', userId: null });
    const sub = await store.addSubmission({ learnerId: learner.id, exerciseId: 'e', lang: 'c', passed: 0, total: 9, checks: [check('x', false)], cutFrom: 912_345 });
    assert.equal(sub.cutFrom, 912_345);
    assert.equal((await store.submissionById(sub.id))!.cutFrom, 912_345);
    await store.close();
  });

  it('records starts and filters them the same way', async () => {
    const { store } = fresh();
    const l1 = await store.createLearner({ tokenHash: 'a', userId: null });
    const l2 = await store.createLearner({ tokenHash: 'b', userId: null });
    const st1 = await store.addStart({ learnerId: l1.id, exerciseId: 'e1', lang: 'go' });
    await store.addStart({ learnerId: l2.id, exerciseId: 'e1', lang: 'c' });
    const st3 = await store.addStart({ learnerId: l1.id, exerciseId: 'e2', lang: 'ts' });
    await store.addStart({ learnerId: l1.id, exerciseId: 'e9', lang: 'ts' });
    assert.deepEqual(st1, { learnerId: l1.id, exerciseId: 'e1', lang: 'go', createdAt: st1.createdAt });
    assert.deepEqual(await store.startsFor([l1.id], ['e1', 'e2']), [st1, st3]);
    assert.deepEqual(await store.startsFor([], ['e1']), []);
    await store.close();
  });
});

describe('snapshots', () => {
  it('saves, replaces and reads a snapshot, and lists the due assignments still without one', async () => {
    const { store } = fresh();
    const cls = await classWithOwner(store);
    const early = await store.createAssignment(assignmentInput(cls.id, { title: 'early', dueAt: 1000 }));
    const onTime = await store.createAssignment(assignmentInput(cls.id, { title: 'on time', dueAt: 2000 }));
    const later = await store.createAssignment(assignmentInput(cls.id, { title: 'later', dueAt: 3000 }));

    assert.deepEqual((await store.assignmentsDueWithoutSnapshot(2000)).map((a) => a.id), [early.id, onTime.id], 'due at or before now');
    assert.deepEqual(await store.assignmentsDueWithoutSnapshot(2000).then((list) => list[0]), early);
    assert.equal(await store.snapshotOf(early.id), null);

    await store.saveSnapshot({ assignmentId: early.id, takenAt: 1001, data: '{"grid":[]}' });
    assert.deepEqual(await store.snapshotOf(early.id), { assignmentId: early.id, takenAt: 1001, data: '{"grid":[]}' });
    assert.deepEqual((await store.assignmentsDueWithoutSnapshot(5000)).map((a) => a.id), [onTime.id, later.id]);

    await store.saveSnapshot({ assignmentId: early.id, takenAt: 1500, data: '{"grid":[1]}' });
    assert.deepEqual(await store.snapshotOf(early.id), { assignmentId: early.id, takenAt: 1500, data: '{"grid":[1]}' });
    await assert.rejects(store.saveSnapshot({ assignmentId: later.id + 10, takenAt: 1, data: '{}' }), 'a snapshot of a missing assignment');
    await store.close();
  });
});

describe('migrations and files', () => {
  it('creates the folder, uses WAL, and records the schema version', async () => {
    const { store, file } = fresh();
    await user(store);
    await store.close();
    const db = new DatabaseSync(file);
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, LATEST_VERSION);
    db.close();
    assert.equal(LATEST_VERSION, MIGRATIONS.length);
    MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1, 'versions are 1, 2, 3... in order'));
  });

  it('keeps the data on reopen and does not run migration 1 again', async () => {
    const { store, file } = fresh();
    const ada = await user(store);
    const cls = await store.createClass({ ownerId: ada.id, name: 'Kept', joinCode: 'KEEP2345' });
    await store.close();

    // A marker table: if migration 1 ran again it would fail on CREATE TABLE users anyway, and
    // a reopen that recreated the file would lose the marker.
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE marker (x INTEGER)');
    db.close();

    const again = openSqliteStore(file);
    assert.deepEqual(await again.userByEmail('ada@example.org').then((u) => u && u.id), ada.id);
    assert.deepEqual(await again.classByJoinCode('KEEP2345'), cls);
    await again.close();
    assert.ok(tableNames(file).includes('marker'));
  });

  it('brings a version 1 file up to date, keeping its submissions (not cut) and adding the blocks', async () => {
    const file = tempFile();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file, '..'), { recursive: true });
    const db = new DatabaseSync(file);
    db.exec(MIGRATIONS[0]!.sql);
    db.exec('PRAGMA user_version = 1');
    db.exec(`INSERT INTO learners (token_hash, user_id, created_at) VALUES ('old', NULL, 1)`);
    db.exec(`INSERT INTO submissions (learner_id, exercise_id, lang, passed, total, checks, created_at) VALUES (1, 'tcp-echo', 'c', 1, 2, '[]', 5)`);
    db.close();
    const store = openSqliteStore(file);
    assert.equal((await store.submissionById(1))!.cutFrom, null);
    assert.deepEqual(await store.blocksOf(1), []);
    await store.close();
    assert.ok(tableNames(file).includes('blocks'));
  });

  it('refuses a database written by a newer Socket Lab, naming the file and both versions', async () => {
    const { store, file } = fresh();
    await store.close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${LATEST_VERSION + 3}`);
    db.close();
    assert.throws(() => openSqliteStore(file), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.message.includes(`version ${LATEST_VERSION + 3}`), err.message);
      assert.ok(err.message.includes(`version ${LATEST_VERSION}`), err.message);
      assert.match(err.message, /upgrade Socket Lab/);
      return true;
    });
  });

  it('refuses a file that is not a SQLite database, saying what to do, and leaves it alone', async () => {
    const file = tempFile();
    const { mkdirSync, readFileSync } = await import('node:fs');
    mkdirSync(join(file, '..'), { recursive: true });
    const content = 'these are my notes, not a database\n'.repeat(100);
    writeFileSync(file, content);
    assert.throws(() => openSqliteStore(file), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /not a SQLite database/);
      assert.match(err.message, /Move it away/);
      return true;
    });
    assert.equal(readFileSync(file, 'utf8'), content);
  });

  it('opens an in-memory database too (the benchmark baseline)', async () => {
    const store = openSqliteStore(':memory:');
    const ada = await user(store);
    assert.deepEqual(await store.userById(ada.id), ada);
    await store.close();
  });
});

describe('hostile input and constraints', () => {
  it('stores SQL-shaped names verbatim and keeps every table', async () => {
    const { store, file } = fresh();
    const evil = "Robert'); DROP TABLE members;--";
    const evil2 = `x" OR 1=1; DELETE FROM classes; -- \\ '' %_`;
    const owner = await store.createUser({ email: "o'brien@example.org", name: evil2, passwordHash: 'h' });
    const cls = await store.createClass({ ownerId: owner.id, name: evil, joinCode: "ZZ'--;" });
    const learner = await store.createLearner({ tokenHash: evil, userId: null });
    const member = await store.addMember({ classId: cls.id, learnerId: learner.id, displayName: evil });
    const a = await store.createAssignment(assignmentInput(cls.id, { title: evil2, exerciseIds: [evil, "a','b"] }));

    assert.equal((await store.classById(cls.id))!.name, evil);
    assert.equal((await store.classByJoinCode("ZZ'--;"))!.id, cls.id);
    assert.equal((await store.memberById(member.id))!.displayName, evil);
    assert.equal((await store.userByEmail("O'Brien@example.org"))!.name, evil2);
    assert.equal((await store.learnerByTokenHash(evil))!.id, learner.id);
    assert.deepEqual((await store.assignmentById(a.id))!.exerciseIds, [evil, "a','b"]);
    const sub = await store.addSubmission({ learnerId: learner.id, exerciseId: evil, lang: 'c', passed: 0, total: 0, checks: [] });
    assert.deepEqual((await store.submissionsFor([learner.id], [evil])).map((s) => s.id), [sub.id]);
    await store.close();

    const tables = tableNames(file);
    for (const t of ['users', 'sessions', 'password_resets', 'learners', 'classes', 'members', 'assignments', 'assignment_exercises', 'extensions', 'submissions', 'starts', 'snapshots', 'blocks']) {
      assert.ok(tables.includes(t), `table ${t} still exists`);
    }
  });

  it('enforces foreign keys', async () => {
    const { store } = fresh();
    const learner = await store.createLearner({ tokenHash: 'd', userId: null });
    await assert.rejects(store.addMember({ classId: 12345, learnerId: learner.id, displayName: 'Ghost' }), /FOREIGN KEY/);
    const cls = await classWithOwner(store);
    await assert.rejects(store.addMember({ classId: cls.id, learnerId: 999, displayName: 'Ghost' }), /FOREIGN KEY/);
    await assert.rejects(store.createClass({ ownerId: 999, name: 'x', joinCode: 'NOOWNER1' }), /FOREIGN KEY/);
    await assert.rejects(store.createSession({ tokenHash: 't', userId: 999, csrf: 'c', createdAt: 1, expiresAt: 2 }), /FOREIGN KEY/);
    await assert.rejects(store.addSubmission({ learnerId: 999, exerciseId: 'e', lang: 'c', passed: 0, total: 0, checks: [] }), /FOREIGN KEY/);
    await assert.rejects(store.createAssignment(assignmentInput(999)), /FOREIGN KEY/);
    await assert.rejects(store.setExtension(999, 999, 1), /FOREIGN KEY/);
    assert.deepEqual(await store.membersOf(cls.id), []);
    await store.close();
  });
});
