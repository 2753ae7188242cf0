/**
 * The classroom: instructor accounts and sessions, classes and their students, assignments, and the
 * record of every check a student runs. One instance lives in the server process (made by
 * server/main.ts); Astro's on-demand pages reach it as `Astro.locals.classroom`, and the lab
 * server's exercise routes record checks through it. Storage is behind `Store` (store/types.ts).
 *
 * Every rule about who may see or change what is here, not in the pages: an instructor asking for a
 * class that is not theirs gets the same NotFound as for a class that does not exist.
 */
import { EventEmitter } from 'node:events';
import { ApiError } from '../../wire/api-error.ts';
import { buildGrid, type Grid } from './grid.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { FailureLimiter } from './rate-limit.ts';
import { hashToken, newJoinCode, newToken } from './tokens.ts';
import { DuplicateError, type Assignment, type ClassRoom, type Id, type Learner, type Member, type NewAssignment, type NewSubmission, type Session, type Store, type Submission, type User } from './store/types.ts';

const BRAND = Symbol.for('socketlab.ClassroomError');

/** A request the classroom refuses, as the lab server's routes refuse theirs; 429s say when to retry. */
export class ClassroomError extends ApiError {
  readonly retryAfterMs: number;
  readonly [BRAND] = true;
  constructor(status: number, reason: string, message: string, retryAfterMs = 0) {
    super(status, reason, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * `instanceof` would not do: Astro's pages are bundled with their own copy of this module, while
 * the classroom they call is the server's, so an error thrown by one is not an instance of the other.
 */
export function isClassroomError(err: unknown): err is ClassroomError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

const notFound = (what: string) => new ClassroomError(404, 'not-found', `There is no such ${what}, or it is not yours.`);

export interface ClassroomOptions {
  store: Store;
  sessionDays: number;
  timeZone: string;
  /** Where reset links are written when no mail is configured: the server's log. */
  log: { warn: (fields: object, message: string) => void; info: (fields: object, message: string) => void };
  now?: () => number;
}

/** Emitted on `events` when a learner's work changes, and when a student joins a class. */
export interface WorkEvent {
  learnerId: Id;
  exerciseId: string;
}
export interface JoinEvent {
  classId: Id;
  member: Member;
}

const RESET_MINUTES = 60;
/** Sign-in failures allowed per email and per client address in 15 minutes. */
const SIGN_IN_LIMITS = { email: 5, client: 30, windowMs: 15 * 60_000 };

export class Classroom {
  readonly store: Store;
  readonly timeZone: string;
  readonly events = new EventEmitter();
  private readonly sessionMs: number;
  private readonly log: ClassroomOptions['log'];
  private readonly now: () => number;
  private readonly byEmail = new FailureLimiter(SIGN_IN_LIMITS.email, SIGN_IN_LIMITS.windowMs);
  private readonly byClient = new FailureLimiter(SIGN_IN_LIMITS.client, SIGN_IN_LIMITS.windowMs);
  private snapshotTimer: NodeJS.Timeout | null = null;

  constructor(options: ClassroomOptions) {
    this.store = options.store;
    this.timeZone = options.timeZone;
    this.sessionMs = options.sessionDays * 24 * 60 * 60_000;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.events.setMaxListeners(0); // one listener per open dashboard
  }

  // -------------------------------------------------------------------------------------------
  // Accounts and sessions

  private async newSession(userId: Id): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const now = this.now();
    const session: Session = { tokenHash: hashToken(token), userId, csrf: newToken(), createdAt: now, expiresAt: now + this.sessionMs };
    await this.store.createSession(session);
    return { token, session };
  }

  async signUp(input: { email: string; name: string; password: string }): Promise<{ user: User; token: string }> {
    try {
      const user = await this.store.createUser({ email: input.email, name: input.name, passwordHash: await hashPassword(input.password) });
      return { user, token: (await this.newSession(user.id)).token };
    } catch (err) {
      if (err instanceof DuplicateError) throw new ClassroomError(409, 'email-taken', 'An account with this email exists already: sign in, or reset its password.');
      throw err;
    }
  }

  /** Signs in, or throws 401 (wrong email or password, never saying which) or 429 (too many tries). */
  async signIn(input: { email: string; password: string }, client: string): Promise<{ user: User; token: string }> {
    const now = this.now();
    const wait = Math.max(this.byEmail.retryAfter(input.email, now), this.byClient.retryAfter(client, now));
    if (wait > 0) {
      throw new ClassroomError(429, 'rate-limited', `Too many failed sign-ins; try again in ${Math.ceil(wait / 60_000)} minute(s), or reset the password.`, wait);
    }
    const found = await this.store.userByEmail(input.email);
    // Verify against a dummy hash for an unknown email, so the answer takes as long either way.
    const ok = await verifyPassword(input.password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) {
      this.byEmail.fail(input.email, now);
      this.byClient.fail(client, now);
      throw new ClassroomError(401, 'wrong-password', 'The email or the password is wrong.');
    }
    this.byEmail.clear(input.email);
    const { passwordHash: _, ...user } = found;
    return { user, token: (await this.newSession(user.id)).token };
  }

  /** The signed-in user of a session token; an expired session is removed and gives null. */
  async session(token: string | undefined): Promise<{ user: User; session: Session } | null> {
    if (!token) return null;
    const session = await this.store.sessionByTokenHash(hashToken(token));
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      await this.store.deleteSession(session.tokenHash);
      return null;
    }
    const user = await this.store.userById(session.userId);
    return user ? { user, session } : null;
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await this.store.deleteSession(hashToken(token));
  }

  /**
   * Makes a one-time reset link for `email` and writes it to the server log (no mail is sent:
   * the host reads it there and passes it on). Says nothing about whether the email exists.
   */
  async requestReset(email: string, origin: string): Promise<void> {
    const user = await this.store.userByEmail(email);
    if (!user) {
      this.log.info({ email }, 'password reset asked for an email with no account');
      return;
    }
    const token = newToken();
    await this.store.createReset({ tokenHash: hashToken(token), userId: user.id, expiresAt: this.now() + RESET_MINUTES * 60_000 });
    const link = `${origin}/account/reset/${token}/`;
    this.log.warn({ email: user.email, link }, `password reset link for ${user.email} (valid ${RESET_MINUTES} minutes, once): ${link}`);
  }

  /** Sets a new password with a reset token; every session of the user ends. False when the link is used or expired. */
  async resetPassword(token: string, password: string): Promise<boolean> {
    const userId = await this.store.useReset(hashToken(token), this.now());
    if (userId === null) return false;
    await this.store.setPassword(userId, await hashPassword(password));
    await this.store.deleteSessionsOf(userId);
    this.byEmail.clear((await this.store.userById(userId))?.email ?? '');
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Learners: a device token (cookie) for students without an account, or an account

  /** The learner behind these credentials: the account's when signed in and it has one, else the device's. */
  async learner(credentials: { deviceToken?: string; userId?: Id | null }): Promise<Learner | null> {
    if (credentials.userId) {
      const ofUser = await this.store.learnerByUserId(credentials.userId);
      if (ofUser) return ofUser;
    }
    return credentials.deviceToken ? this.store.learnerByTokenHash(hashToken(credentials.deviceToken)) : null;
  }

  /** The learner, made if needed: for the account when signed in, else for a new device token (returned to set as a cookie). */
  async ensureLearner(credentials: { deviceToken?: string; userId?: Id | null }): Promise<{ learner: Learner; deviceToken?: string }> {
    const known = await this.learner(credentials);
    if (known) return { learner: known };
    if (credentials.userId) return { learner: await this.store.createLearner({ tokenHash: null, userId: credentials.userId }) };
    const deviceToken = newToken();
    return { learner: await this.store.createLearner({ tokenHash: hashToken(deviceToken), userId: null }), deviceToken };
  }

  // -------------------------------------------------------------------------------------------
  // Classes

  async createClass(owner: User, name: string): Promise<ClassRoom> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.createClass({ ownerId: owner.id, name, joinCode: newJoinCode() });
      } catch (err) {
        if (!(err instanceof DuplicateError) || attempt >= 5) throw err; // 30^8 codes: a clash is rare, five is never
      }
    }
  }

  /** The class if `owner` owns it; NotFound otherwise (the same answer for "not yours" and "none"). */
  async ownedClass(owner: User, classId: Id): Promise<ClassRoom> {
    const found = Number.isSafeInteger(classId) ? await this.store.classById(classId) : null;
    if (!found || found.ownerId !== owner.id) throw notFound('class');
    return found;
  }

  async classByCode(code: string): Promise<ClassRoom | null> {
    return this.store.classByJoinCode(code);
  }

  async join(classRoom: ClassRoom, learner: Learner, displayName: string): Promise<Member> {
    const member = await this.store.addMember({ classId: classRoom.id, learnerId: learner.id, displayName });
    this.events.emit('join', { classId: classRoom.id, member } satisfies JoinEvent);
    return member;
  }

  /** Takes a student out of `owner`'s class; they can join again with the link. */
  async removeMember(owner: User, classId: Id, memberId: Id): Promise<Member> {
    const classRoom = await this.ownedClass(owner, classId);
    const member = await this.store.memberById(memberId);
    if (!member || member.classId !== classRoom.id) throw notFound('student in this class');
    await this.store.removeMember(member.id);
    return member;
  }

  // -------------------------------------------------------------------------------------------
  // Assignments

  async createAssignment(owner: User, classId: Id, input: Omit<NewAssignment, 'classId'>): Promise<Assignment> {
    await this.ownedClass(owner, classId);
    return this.store.createAssignment({ ...input, classId });
  }

  async ownedAssignment(owner: User, classId: Id, assignmentId: Id): Promise<{ classRoom: ClassRoom; assignment: Assignment }> {
    const classRoom = await this.ownedClass(owner, classId);
    const assignment = Number.isSafeInteger(assignmentId) ? await this.store.assignmentById(assignmentId) : null;
    if (!assignment || assignment.classId !== classRoom.id) throw notFound('assignment');
    return { classRoom, assignment };
  }

  async updateAssignment(owner: User, classId: Id, assignmentId: Id, input: Omit<NewAssignment, 'classId'>): Promise<void> {
    await this.ownedAssignment(owner, classId, assignmentId);
    await this.store.updateAssignment(assignmentId, input);
  }

  async setExtension(owner: User, classId: Id, assignmentId: Id, memberId: Id, dueAt: number | null): Promise<void> {
    const { classRoom, assignment } = await this.ownedAssignment(owner, classId, assignmentId);
    const member = await this.store.memberById(memberId);
    if (!member || member.classId !== classRoom.id) throw notFound('student in this class');
    if (dueAt !== null && dueAt <= assignment.dueAt) {
      throw new ClassroomError(400, 'bad-extension', 'An extension must end after the assignment\'s own deadline.');
    }
    await this.store.setExtension(assignment.id, member.id, dueAt);
  }

  async grid(assignment: Assignment, view: Grid['view'] = 'live'): Promise<Grid> {
    const members = await this.store.membersOf(assignment.classId);
    const learners = members.map((m) => m.learnerId);
    const [extensions, submissions, starts] = await Promise.all([
      this.store.extensionsOf(assignment.id),
      this.store.submissionsFor(learners, assignment.exerciseIds),
      this.store.startsFor(learners, assignment.exerciseIds),
    ]);
    return buildGrid({ assignment, members, extensions, submissions, starts, view });
  }

  /** What a student sees: their classes, and each assignment with its deadline and their cells. */
  async studentView(learner: Learner): Promise<{ classRoom: ClassRoom; member: Member; assignments: { assignment: Assignment; row: Grid['rows'][number] }[] }[]> {
    const memberships = await this.store.membershipsOf(learner.id);
    return Promise.all(
      memberships.map(async ({ member, classRoom }) => {
        const assignments = (await this.store.assignmentsOf(classRoom.id)).filter((a) => a.opensAt <= this.now());
        const [submissions, starts] = await Promise.all([
          this.store.submissionsFor([learner.id], assignments.flatMap((a) => a.exerciseIds)),
          this.store.startsFor([learner.id], assignments.flatMap((a) => a.exerciseIds)),
        ]);
        return {
          classRoom,
          member,
          assignments: await Promise.all(
            assignments.map(async (assignment) => {
              const extensions = (await this.store.extensionsOf(assignment.id)).filter((e) => e.memberId === member.id);
              return { assignment, row: buildGrid({ assignment, members: [member], extensions, submissions, starts }).rows[0]! };
            }),
          ),
        };
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Work: checks and starts, recorded as the lab server runs them

  /** Records a check the server ran; durable once this resolves. Dashboards hear of it at once. */
  async recordCheck(input: NewSubmission): Promise<Submission> {
    const submission = await this.store.addSubmission(input);
    this.events.emit('work', { learnerId: input.learnerId, exerciseId: input.exerciseId } satisfies WorkEvent);
    return submission;
  }

  async recordStart(learnerId: Id, exerciseId: string, lang: string): Promise<void> {
    await this.store.addStart({ learnerId, exerciseId, lang });
    this.events.emit('work', { learnerId, exerciseId } satisfies WorkEvent);
  }

  /** True when an instructor's assignment lets this learner see the solution of `exerciseId` now. */
  async solutionReleased(learnerId: Id, exerciseId: string): Promise<boolean> {
    const now = this.now();
    for (const { member, classRoom } of await this.store.membershipsOf(learnerId)) {
      for (const a of await this.store.assignmentsOf(classRoom.id)) {
        if (!a.exerciseIds.includes(exerciseId) || a.opensAt > now) continue;
        if (a.solutions === 'always') return true;
        if (a.solutions === 'after-due') {
          const extension = (await this.store.extensionsOf(a.id)).find((e) => e.memberId === member.id);
          if ((extension?.dueAt ?? a.dueAt) <= now) return true;
        }
      }
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots at the deadline

  /**
   * Keeps the grid of every assignment whose last deadline (extensions included) has passed, each
   * student's work counted up to their own deadline. Returns how many were taken.
   */
  async takeDueSnapshots(): Promise<number> {
    const now = this.now();
    let taken = 0;
    for (const assignment of await this.store.assignmentsDueWithoutSnapshot(now)) {
      const lastDue = Math.max(assignment.dueAt, ...(await this.store.extensionsOf(assignment.id)).map((e) => e.dueAt));
      if (lastDue > now) continue;
      const grid = await this.grid(assignment, 'deadline');
      await this.store.saveSnapshot({ assignmentId: assignment.id, takenAt: now, data: JSON.stringify(grid) });
      this.log.info({ assignment: assignment.id }, `kept the deadline snapshot of assignment ${assignment.id} (${assignment.title})`);
      taken++;
    }
    return taken;
  }

  async snapshot(assignment: Assignment): Promise<{ takenAt: number; grid: Grid } | null> {
    const kept = await this.store.snapshotOf(assignment.id);
    return kept ? { takenAt: kept.takenAt, grid: JSON.parse(kept.data) as Grid } : null;
  }

  /** Takes due snapshots now and every `everyMs`. */
  startSnapshots(everyMs = 30_000): void {
    const run = () => void this.takeDueSnapshots().catch((err: unknown) => this.log.warn({ err }, 'taking deadline snapshots failed'));
    run();
    this.snapshotTimer = setInterval(run, everyMs);
    this.snapshotTimer.unref();
  }

  async close(): Promise<void> {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.events.removeAllListeners();
    await this.store.close();
  }
}
