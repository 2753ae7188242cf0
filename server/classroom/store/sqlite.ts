/**
 * The embedded classroom store: one SQLite file (node:sqlite, built into Node), in WAL mode with
 * synchronous=FULL so that a resolved write has been fsynced and survives a crash or power cut.
 *
 * `openSqliteStore(file)` is synchronous: it creates the folder, sets the pragmas, runs the
 * migrations the file has not seen (./migrations.ts) and returns a ready store. Every query is a
 * cached prepared statement; lists of ids are passed as one JSON array parameter (json_each).
 * node:sqlite is synchronous, so each method runs to completion before another can start: a
 * method's statements never interleave with another caller's.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { CheckLine } from '../../../wire/lab-api.ts';
import { MIGRATIONS } from './migrations.ts';
import {
  DuplicateError,
  type Assignment,
  type Block,
  type ClassRoom,
  type Extension,
  type Id,
  type Learner,
  type LatePolicy,
  type Member,
  type NewAssignment,
  type NewSubmission,
  type Session,
  type Snapshot,
  type SolutionPolicy,
  type Start,
  type Store,
  type Submission,
  type SubmissionSummary,
  type User,
} from './types.ts';

export interface SqliteStoreOptions {
  /** The clock for createdAt/joinedAt (tests pin it). */
  now?: () => number;
  /**
   * FULL (the default) fsyncs the WAL on every commit. NORMAL may lose the last commits on a power
   * cut (not on a process crash); it exists for bench/store.ts to measure what FULL costs.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

type Row = Record<string, unknown>;

const SQLITE_NOTADB = 26;
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** Which unique column (as SQLite names it in its error) is which field of DuplicateError. */
const DUPLICATE_FIELDS: Record<string, string> = {
  'users.email': 'email',
  'classes.join_code': 'joinCode',
  'learners.token_hash': 'tokenHash',
  'learners.user_id': 'userId',
};

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(file, options);
}

const ASSIGNMENT_COLUMNS = `a.id, a.class_id, a.title, a.opens_at, a.due_at, a.late_policy, a.solutions, a.created_at,
  (SELECT json_group_array(e.exercise_id ORDER BY e.position) FROM assignment_exercises e WHERE e.assignment_id = a.id) AS exercise_ids`;

export class SqliteStore implements Store {
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #statements = new Map<string, StatementSync>();

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = file;
    this.#now = options.now ?? Date.now;
    const inMemory = file === ':memory:';
    if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true });
    this.#db = new DatabaseSync(file);
    try {
      // A file that is not SQLite opens fine and fails at its first read: this one.
      this.#db.exec('PRAGMA busy_timeout = 5000');
      this.#db.prepare('PRAGMA user_version').get();
    } catch (err) {
      this.#db.close();
      if ((err as { errcode?: number }).errcode === SQLITE_NOTADB) {
        throw new Error(`${file} is not a SQLite database, so it cannot be the classroom database. Move it away (Socket Lab then creates a new database there) or point DATA_DIR at the folder that holds the real one.`, { cause: err });
      }
      throw err;
    }
    try {
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      this.#db.exec('PRAGMA foreign_keys = ON');
      // A class's submissions are spread over the file (interleaved with every other class's);
      // the default 2 MiB page cache re-reads them from the OS on each grid view (bench/store.ts:
      // 26 ms vs 9 ms for a 40 x 6 class). Memory is taken only as pages are read.
      this.#db.exec('PRAGMA cache_size = -32768');
      this.#migrate();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  #version(): number {
    return Number((this.#db.prepare('PRAGMA user_version').get() as Row).user_version);
  }

  #migrate(): void {
    const tooNew = () => new Error(`${this.file} has classroom schema version ${this.#version()}, but this Socket Lab only knows up to version ${LATEST_VERSION}: upgrade Socket Lab to open it (it was written by a newer one).`);
    if (this.#version() > LATEST_VERSION) throw tooNew();
    for (const migration of MIGRATIONS) {
      if (migration.version <= this.#version()) continue;
      this.#transaction(() => {
        // Another process may have migrated between our read and our write lock: read again.
        const current = this.#version();
        if (current > LATEST_VERSION) throw tooNew();
        if (migration.version <= current) return;
        this.#db.exec(migration.sql);
        // user_version lives in the file header, so it commits (or rolls back) with the tables.
        this.#db.exec(`PRAGMA user_version = ${Number(migration.version)}`);
      });
    }
  }

  #transaction<T>(fn: () => T): T {
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) at
    // BEGIN instead of failing at its first write with a lock it cannot upgrade.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  #sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#sql(sql).get(...params) as Row | undefined;
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#sql(sql).all(...params) as Row[];
  }

  #run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#sql(sql).run(...params).changes);
  }

  /** Runs an insert/update, turning a unique violation on a known column into DuplicateError. */
  #unique<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const { errcode, message } = err as { errcode?: number; message?: string };
      if (errcode === SQLITE_CONSTRAINT_UNIQUE || errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
        const column = /constraint failed: (\S+)$/.exec(message ?? '')?.[1];
        const field = column && DUPLICATE_FIELDS[column];
        if (field) throw new DuplicateError(field);
      }
      throw err;
    }
  }

  // --- Users, sessions, resets ----------------------------------------------------------------

  async createUser(input: { email: string; name: string; passwordHash: string }): Promise<User> {
    const row = this.#unique(() => this.#get('INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id, email, name, created_at', input.email.toLowerCase(), input.name, input.passwordHash, this.#now()));
    return toUser(row!);
  }

  async userById(id: Id): Promise<User | null> {
    const row = this.#get('SELECT id, email, name, created_at FROM users WHERE id = ?', id);
    return row ? toUser(row) : null;
  }

  async userByEmail(email: string): Promise<(User & { passwordHash: string }) | null> {
    const row = this.#get('SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?', email.toLowerCase());
    return row ? { ...toUser(row), passwordHash: String(row.password_hash) } : null;
  }

  async setPassword(userId: Id, passwordHash: string): Promise<void> {
    this.#run('UPDATE users SET password_hash = ? WHERE id = ?', passwordHash, userId);
  }

  async createSession(session: Session): Promise<void> {
    this.#run('INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', session.tokenHash, session.userId, session.csrf, session.createdAt, session.expiresAt);
  }

  async sessionByTokenHash(tokenHash: string): Promise<Session | null> {
    const row = this.#get('SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = ?', tokenHash);
    return row ? { tokenHash: String(row.token_hash), userId: Number(row.user_id), csrf: String(row.csrf), createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) } : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.#run('DELETE FROM sessions WHERE token_hash = ?', tokenHash);
  }

  async deleteSessionsOf(userId: Id): Promise<void> {
    this.#run('DELETE FROM sessions WHERE user_id = ?', userId);
  }

  async createReset(input: { tokenHash: string; userId: Id; expiresAt: number }): Promise<void> {
    this.#run('INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)', input.tokenHash, input.userId, input.expiresAt);
  }

  async useReset(tokenHash: string, now: number): Promise<Id | null> {
    // One statement: two requests racing with the same link cannot both get the user id.
    const row = this.#get('UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id', now, tokenHash, now);
    return row ? Number(row.user_id) : null;
  }

  // --- Learners -------------------------------------------------------------------------------

  async createLearner(input: { tokenHash: string | null; userId: Id | null }): Promise<Learner> {
    const row = this.#unique(() => this.#get('INSERT INTO learners (token_hash, user_id, created_at) VALUES (?, ?, ?) RETURNING id, user_id, created_at', input.tokenHash, input.userId, this.#now()));
    return toLearner(row!);
  }

  async learnerByTokenHash(tokenHash: string): Promise<Learner | null> {
    const row = this.#get('SELECT id, user_id, created_at FROM learners WHERE token_hash = ?', tokenHash);
    return row ? toLearner(row) : null;
  }

  async learnerByUserId(userId: Id): Promise<Learner | null> {
    const row = this.#get('SELECT id, user_id, created_at FROM learners WHERE user_id = ?', userId);
    return row ? toLearner(row) : null;
  }

  // --- Classes and members --------------------------------------------------------------------

  async createClass(input: { ownerId: Id; name: string; joinCode: string }): Promise<ClassRoom> {
    const row = this.#unique(() => this.#get('INSERT INTO classes (owner_id, name, join_code, created_at) VALUES (?, ?, ?, ?) RETURNING id, owner_id, name, join_code, created_at', input.ownerId, input.name, input.joinCode, this.#now()));
    return toClass(row!);
  }

  async classById(id: Id): Promise<ClassRoom | null> {
    const row = this.#get('SELECT id, owner_id, name, join_code, created_at FROM classes WHERE id = ?', id);
    return row ? toClass(row) : null;
  }

  async classByJoinCode(code: string): Promise<ClassRoom | null> {
    const row = this.#get('SELECT id, owner_id, name, join_code, created_at FROM classes WHERE join_code = ?', code);
    return row ? toClass(row) : null;
  }

  async classesOwnedBy(ownerId: Id): Promise<ClassRoom[]> {
    return this.#all('SELECT id, owner_id, name, join_code, created_at FROM classes WHERE owner_id = ? ORDER BY created_at, id', ownerId).map(toClass);
  }

  async addMember(input: { classId: Id; learnerId: Id; displayName: string }): Promise<Member> {
    // The no-op DO UPDATE makes RETURNING give back the existing row, unchanged, on a second join.
    const row = this.#get(
      `INSERT INTO members (class_id, learner_id, display_name, joined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (class_id, learner_id) DO UPDATE SET display_name = display_name
       RETURNING id, class_id, learner_id, display_name, joined_at`,
      input.classId, input.learnerId, input.displayName, this.#now(),
    );
    return toMember(row!);
  }

  async membersOf(classId: Id): Promise<Member[]> {
    return this.#all('SELECT id, class_id, learner_id, display_name, joined_at FROM members WHERE class_id = ? ORDER BY joined_at, id', classId).map(toMember);
  }

  async memberById(id: Id): Promise<Member | null> {
    const row = this.#get('SELECT id, class_id, learner_id, display_name, joined_at FROM members WHERE id = ?', id);
    return row ? toMember(row) : null;
  }

  async removeMember(id: Id, block = false): Promise<void> {
    this.#transaction(() => {
      if (block) {
        this.#run(
          `INSERT INTO blocks (class_id, learner_id, display_name, blocked_at) SELECT class_id, learner_id, display_name, ? FROM members WHERE id = ?
           ON CONFLICT (class_id, learner_id) DO NOTHING`,
          this.#now(), id,
        );
      }
      this.#run('DELETE FROM members WHERE id = ?', id);
    });
  }

  async isBlocked(classId: Id, learnerId: Id): Promise<boolean> {
    return this.#get('SELECT 1 FROM blocks WHERE class_id = ? AND learner_id = ?', classId, learnerId) !== undefined;
  }

  async blocksOf(classId: Id): Promise<Block[]> {
    return this.#all('SELECT class_id, learner_id, display_name, blocked_at FROM blocks WHERE class_id = ? ORDER BY blocked_at, learner_id', classId).map((row) => ({
      classId: Number(row.class_id),
      learnerId: Number(row.learner_id),
      displayName: String(row.display_name),
      blockedAt: Number(row.blocked_at),
    }));
  }

  async unblock(classId: Id, learnerId: Id): Promise<void> {
    this.#run('DELETE FROM blocks WHERE class_id = ? AND learner_id = ?', classId, learnerId);
  }

  async membershipsOf(learnerId: Id): Promise<{ member: Member; classRoom: ClassRoom }[]> {
    const rows = this.#all(
      `SELECT m.id, m.class_id, m.learner_id, m.display_name, m.joined_at,
              c.owner_id, c.name, c.join_code, c.created_at
       FROM members m JOIN classes c ON c.id = m.class_id
       WHERE m.learner_id = ? ORDER BY m.joined_at, m.id`,
      learnerId,
    );
    return rows.map((row) => ({ member: toMember(row), classRoom: toClass({ ...row, id: row.class_id }) }));
  }

  // --- Assignments ----------------------------------------------------------------------------

  async createAssignment(input: NewAssignment): Promise<Assignment> {
    const id = this.#transaction(() => {
      const row = this.#get(
        'INSERT INTO assignments (class_id, title, opens_at, due_at, late_policy, solutions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
        input.classId, input.title, input.opensAt, input.dueAt, input.latePolicy, input.solutions, this.#now(),
      );
      const id = Number(row!.id);
      this.#writeExercises(id, input.exerciseIds);
      return id;
    });
    return (await this.assignmentById(id))!;
  }

  async updateAssignment(id: Id, input: Omit<NewAssignment, 'classId'>): Promise<void> {
    this.#transaction(() => {
      const changed = this.#run(
        'UPDATE assignments SET title = ?, opens_at = ?, due_at = ?, late_policy = ?, solutions = ? WHERE id = ?',
        input.title, input.opensAt, input.dueAt, input.latePolicy, input.solutions, id,
      );
      if (changed === 0) throw new Error(`there is no assignment ${id} to update`);
      this.#run('DELETE FROM assignment_exercises WHERE assignment_id = ?', id);
      this.#writeExercises(id, input.exerciseIds);
    });
  }

  #writeExercises(assignmentId: Id, exerciseIds: string[]): void {
    exerciseIds.forEach((exerciseId, position) => {
      this.#run('INSERT INTO assignment_exercises (assignment_id, position, exercise_id) VALUES (?, ?, ?)', assignmentId, position, exerciseId);
    });
  }

  async assignmentById(id: Id): Promise<Assignment | null> {
    const row = this.#get(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.id = ?`, id);
    return row ? toAssignment(row) : null;
  }

  /** In the order they were created. */
  async assignmentsOf(classId: Id): Promise<Assignment[]> {
    return this.#all(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.class_id = ? ORDER BY a.id`, classId).map(toAssignment);
  }

  async setExtension(assignmentId: Id, memberId: Id, dueAt: number | null): Promise<void> {
    if (dueAt === null) {
      this.#run('DELETE FROM extensions WHERE assignment_id = ? AND member_id = ?', assignmentId, memberId);
    } else {
      this.#run('INSERT INTO extensions (assignment_id, member_id, due_at) VALUES (?, ?, ?) ON CONFLICT (assignment_id, member_id) DO UPDATE SET due_at = excluded.due_at', assignmentId, memberId, dueAt);
    }
  }

  async extensionsOf(assignmentId: Id): Promise<Extension[]> {
    return this.#all('SELECT assignment_id, member_id, due_at FROM extensions WHERE assignment_id = ? ORDER BY member_id', assignmentId).map((row) => ({
      assignmentId: Number(row.assignment_id),
      memberId: Number(row.member_id),
      dueAt: Number(row.due_at),
    }));
  }

  // --- Work -----------------------------------------------------------------------------------

  async addSubmission(input: NewSubmission): Promise<Submission> {
    // Autocommit: when run() returns, the row is in the WAL and (synchronous=FULL) fsynced.
    const row = this.#get(
      'INSERT INTO submissions (learner_id, exercise_id, lang, passed, total, checks, cut_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      input.learnerId, input.exerciseId, input.lang, input.passed, input.total, JSON.stringify(input.checks), input.cutFrom ?? null, this.#now(),
    );
    return toSubmission(row!);
  }

  async submissionById(id: Id): Promise<Submission | null> {
    const row = this.#get('SELECT * FROM submissions WHERE id = ?', id);
    return row ? toSubmission(row) : null;
  }

  async submissionsFor(learnerIds: Id[], exerciseIds: string[]): Promise<SubmissionSummary[]> {
    return this.#all(
      `SELECT id, learner_id, exercise_id, lang, passed, total, created_at FROM submissions
       WHERE learner_id IN (SELECT value FROM json_each(?)) AND exercise_id IN (SELECT value FROM json_each(?))
       ORDER BY created_at, id`,
      JSON.stringify(learnerIds), JSON.stringify(exerciseIds),
    ).map(toSummary);
  }

  async submissionPage(learnerId: Id, exerciseId: string, page: { since: number; offset: number; limit: number }): Promise<{ total: number; submissions: Submission[] }> {
    const where = 'WHERE learner_id = ? AND exercise_id = ? AND created_at >= ?';
    const total = Number(this.#get(`SELECT count(*) AS n FROM submissions ${where}`, learnerId, exerciseId, page.since)!.n);
    const submissions = this.#all(`SELECT * FROM submissions ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, learnerId, exerciseId, page.since, page.limit, page.offset).map(toSubmission);
    return { total, submissions };
  }

  async addStart(input: Omit<Start, 'createdAt'>): Promise<Start> {
    const row = this.#get('INSERT INTO starts (learner_id, exercise_id, lang, created_at) VALUES (?, ?, ?, ?) RETURNING learner_id, exercise_id, lang, created_at', input.learnerId, input.exerciseId, input.lang, this.#now());
    return toStart(row!);
  }

  async startsFor(learnerIds: Id[], exerciseIds: string[]): Promise<Start[]> {
    return this.#all(
      `SELECT learner_id, exercise_id, lang, created_at FROM starts
       WHERE learner_id IN (SELECT value FROM json_each(?)) AND exercise_id IN (SELECT value FROM json_each(?))
       ORDER BY created_at, id`,
      JSON.stringify(learnerIds), JSON.stringify(exerciseIds),
    ).map(toStart);
  }

  // --- Snapshots ------------------------------------------------------------------------------

  /** Saves the snapshot, replacing an earlier one of the same assignment. */
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.#run('INSERT INTO snapshots (assignment_id, taken_at, data) VALUES (?, ?, ?) ON CONFLICT (assignment_id) DO UPDATE SET taken_at = excluded.taken_at, data = excluded.data', snapshot.assignmentId, snapshot.takenAt, snapshot.data);
  }

  async snapshotOf(assignmentId: Id): Promise<Snapshot | null> {
    const row = this.#get('SELECT assignment_id, taken_at, data FROM snapshots WHERE assignment_id = ?', assignmentId);
    return row ? { assignmentId: Number(row.assignment_id), takenAt: Number(row.taken_at), data: String(row.data) } : null;
  }

  async assignmentsDueWithoutSnapshot(now: number): Promise<Assignment[]> {
    return this.#all(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments a WHERE a.due_at <= ? AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.assignment_id = a.id) ORDER BY a.due_at, a.id`, now).map(toAssignment);
  }

  async close(): Promise<void> {
    if (!this.#db.isOpen) return;
    this.#statements.clear();
    this.#db.close();
  }
}

function toUser(row: Row): User {
  return { id: Number(row.id), email: String(row.email), name: String(row.name), createdAt: Number(row.created_at) };
}

function toLearner(row: Row): Learner {
  return { id: Number(row.id), userId: row.user_id === null ? null : Number(row.user_id), createdAt: Number(row.created_at) };
}

function toClass(row: Row): ClassRoom {
  return { id: Number(row.id), ownerId: Number(row.owner_id), name: String(row.name), joinCode: String(row.join_code), createdAt: Number(row.created_at) };
}

function toMember(row: Row): Member {
  return { id: Number(row.id), classId: Number(row.class_id), learnerId: Number(row.learner_id), displayName: String(row.display_name), joinedAt: Number(row.joined_at) };
}

function toAssignment(row: Row): Assignment {
  return {
    id: Number(row.id),
    classId: Number(row.class_id),
    title: String(row.title),
    exerciseIds: JSON.parse(String(row.exercise_ids)) as string[],
    opensAt: Number(row.opens_at),
    dueAt: Number(row.due_at),
    latePolicy: String(row.late_policy) as LatePolicy,
    solutions: String(row.solutions) as SolutionPolicy,
    createdAt: Number(row.created_at),
  };
}

function toSummary(row: Row): SubmissionSummary {
  return {
    id: Number(row.id),
    learnerId: Number(row.learner_id),
    exerciseId: String(row.exercise_id),
    lang: String(row.lang),
    passed: Number(row.passed),
    total: Number(row.total),
    createdAt: Number(row.created_at),
  };
}

function toSubmission(row: Row): Submission {
  return { ...toSummary(row), checks: JSON.parse(String(row.checks)) as CheckLine[], cutFrom: row.cut_from === null ? null : Number(row.cut_from) };
}

function toStart(row: Row): Start {
  return { learnerId: Number(row.learner_id), exerciseId: String(row.exercise_id), lang: String(row.lang), createdAt: Number(row.created_at) };
}
