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
import { fitChecks } from './check-text.ts';
import { DashboardFeed, type JoinEvent, type WorkEvent } from './dashboard-feed.ts';
import { ClassroomError, notFound } from './errors.ts';
import { buildGrid, type Grid } from './grid.ts';
import { ClassroomLimits, type LimitSettings } from './limits.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newJoinCode, newToken } from './tokens.ts';
import { DuplicateError, type Assignment, type Block, type ClassRoom, type Id, type Learner, type Member, type NewAssignment, type NewSubmission, type Session, type Store, type Submission, type User } from './store/types.ts';

export { ClassroomError, isClassroomError } from './errors.ts';
export type { JoinEvent, WorkEvent } from './dashboard-feed.ts';

export interface ClassroomOptions {
  store: Store;
  sessionDays: number;
  timeZone: string;
  /** Where reset links are written when no mail is configured: the server's log. */
  log: { warn: (fields: object, message: string) => void; info: (fields: object, message: string) => void };
  limits: LimitSettings;
  /** At most one live dashboard update per assignment in this many milliseconds (DASHBOARD_PUSH_MS). */
  dashboardPushMs: number;
  now?: () => number;
}

const RESET_MINUTES = 60;
/** What the operator is told when a link cannot be made: no trusted address to put in it. */
export const SET_PUBLIC_URL = 'set PUBLIC_URL to the address people open (such as https://sockets.example.org; docs/deploy.md)';

export class Classroom {
  readonly store: Store;
  readonly timeZone: string;
  readonly events = new EventEmitter();
  private readonly sessionMs: number;
  private readonly log: ClassroomOptions['log'];
  private readonly now: () => number;
  private readonly limits: ClassroomLimits;
  /** The live dashboards' feed (src/pages/classes/.../events.ts subscribes to it). */
  readonly dashboards: DashboardFeed;
  private snapshotTimer: NodeJS.Timeout | null = null;

  constructor(options: ClassroomOptions) {
    this.store = options.store;
    this.timeZone = options.timeZone;
    this.sessionMs = options.sessionDays * 24 * 60 * 60_000;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.limits = new ClassroomLimits(options.limits, this.now);
    this.dashboards = new DashboardFeed({
      events: this.events,
      store: this.store,
      grid: (assignment) => this.grid(assignment),
      intervalMs: options.dashboardPushMs,
      onError: (err) => this.log.warn({ err }, 'a live dashboard update failed'),
      now: this.now,
    });
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

  /** Makes an account and signs it in; 409 for a taken email, 429 past SIGNUPS_PER_HOUR from `client`. */
  async signUp(input: { email: string; name: string; password: string }, client: string): Promise<{ user: User; token: string }> {
    this.limits.signUp(client);
    try {
      const user = await this.store.createUser({ email: input.email, name: input.name, passwordHash: await hashPassword(input.password) });
      return { user, token: (await this.newSession(user.id)).token };
    } catch (err) {
      if (err instanceof DuplicateError) throw new ClassroomError(409, 'email-taken', 'An account with this email exists already: sign in, or reset its password.');
      throw err;
    }
  }

  /** Signs in, or throws 401 (wrong email or password, never saying which) or 429 (too many failures from `client`). */
  async signIn(input: { email: string; password: string }, client: string): Promise<{ user: User; token: string }> {
    this.limits.beforeSignIn(input.email, client);
    const found = await this.store.userByEmail(input.email);
    // Verify against a dummy hash for an unknown email, so the answer takes as long either way.
    const ok = await verifyPassword(input.password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) {
      this.limits.signInFailed(input.email, client);
      throw new ClassroomError(401, 'wrong-password', 'The email or the password is wrong.');
    }
    this.limits.signInSucceeded(input.email, client);
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
   * `origin` is where the link points (linkOrigin, ./links.ts); with none, no link is made and
   * the operator is told to set PUBLIC_URL. 429 past RESET_REQUESTS_PER_HOUR from `client`.
   */
  async requestReset(email: string, origin: string | null, client: string): Promise<void> {
    this.limits.resetRequest(client);
    if (origin === null) {
      this.noPublicUrl('a password reset link', client);
      throw new ClassroomError(503, 'no-public-url', `This server cannot make reset links yet: it does not know the address people open it at. Whoever runs it must ${SET_PUBLIC_URL}.`);
    }
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

  /** Tells the operator, in the log, that `what` was not made for lack of PUBLIC_URL (links.ts). */
  noPublicUrl(what: string, client: string): void {
    this.log.warn({ client }, `${what} was asked for from ${client}, but this server does not know the address people open it at, so it made none: ${SET_PUBLIC_URL}`);
  }

  /** Sets a new password with a reset token; every session of the user ends. False when the link is used or expired. */
  async resetPassword(token: string, password: string): Promise<boolean> {
    const userId = await this.store.useReset(hashToken(token), this.now());
    if (userId === null) return false;
    await this.store.setPassword(userId, await hashPassword(password));
    await this.store.deleteSessionsOf(userId);
    this.limits.passwordReset((await this.store.userById(userId))?.email ?? '');
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

  /** Joins, or throws 403 `blocked` when the instructor removed this learner and blocked rejoining. */
  async join(classRoom: ClassRoom, learner: Learner, displayName: string): Promise<Member> {
    if (await this.store.isBlocked(classRoom.id, learner.id)) throw blockedError();
    const member = await this.store.addMember({ classId: classRoom.id, learnerId: learner.id, displayName });
    this.events.emit('join', { classId: classRoom.id, member } satisfies JoinEvent);
    return member;
  }

  /**
   * Takes a student out of `owner`'s class. They can join again with the link, unless `block`:
   * then this learner (this browser's device token, or the account) is refused until unblocked.
   */
  async removeMember(owner: User, classId: Id, memberId: Id, block = false): Promise<Member> {
    const classRoom = await this.ownedClass(owner, classId);
    const member = await this.store.memberById(memberId);
    if (!member || member.classId !== classRoom.id) throw notFound('student in this class');
    await this.store.removeMember(member.id, block);
    return member;
  }

  async unblock(owner: User, classId: Id, learnerId: Id): Promise<Block> {
    const classRoom = await this.ownedClass(owner, classId);
    const found = (await this.store.blocksOf(classRoom.id)).find((b) => b.learnerId === learnerId);
    if (!found) throw notFound('blocked student in this class');
    await this.store.unblock(classRoom.id, learnerId);
    return found;
  }

  /** Whether `learner` was removed from `classRoom` and blocked from joining again. */
  async isBlocked(classRoom: ClassRoom, learner: Learner): Promise<boolean> {
    return this.store.isBlocked(classRoom.id, learner.id);
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

  /** Throws 429 when this learner has checked (or started) more often than CHECKS_PER_MINUTE (STARTS_PER_MINUTE) allows. */
  allowWork(learnerId: Id, action: 'check' | 'start'): void {
    this.limits.work(learnerId, action);
  }

  /**
   * Records a check the server ran, its check lines cut to what is kept (./check-text.ts); durable
   * once this resolves. Open dashboards hear of it (./dashboard-feed.ts).
   */
  async recordCheck(input: NewSubmission): Promise<Submission> {
    const submission = await this.store.addSubmission({ ...input, ...fitChecks(input.checks) });
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
    this.dashboards.close();
    this.events.removeAllListeners();
    await this.store.close();
  }
}

/** What a removed and blocked student is told when they try to join again. */
export const blockedError = () => new ClassroomError(403, 'blocked', 'Your instructor removed you from this class and blocked joining it again. If that is a mistake, ask them to unblock you.');
