/**
 * What the classroom keeps, and the one interface every storage backend implements. Pages and the
 * classroom service only ever talk to a `Store`; SQLite (./sqlite.ts) is the embedded default, and
 * a server database can be added later as another implementation of this interface.
 *
 * Every method is async so that a networked database fits the same shape. Times are milliseconds
 * since the epoch. Secrets (session tokens, device tokens, reset tokens) are stored only as their
 * SHA-256 hashes; password hashes are opaque strings made by ../passwords.ts.
 */
import type { CheckLine } from '../../../wire/lab-api.ts';

export type Id = number;

export interface User {
  id: Id;
  email: string; // lower-cased
  name: string;
  createdAt: number;
}

export interface Session {
  tokenHash: string;
  userId: Id;
  /** The CSRF token every form of this session must send back. */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

/** Whoever presses "Check my work": a device (token in a cookie) or a signed-in user's account. */
export interface Learner {
  id: Id;
  userId: Id | null;
  createdAt: number;
}

export interface ClassRoom {
  id: Id;
  ownerId: Id;
  name: string;
  /** What students type or follow (/join/<code>): 8 characters of an unambiguous alphabet. */
  joinCode: string;
  createdAt: number;
}

export interface Member {
  id: Id;
  classId: Id;
  learnerId: Id;
  displayName: string;
  joinedAt: number;
}

export const LATE_POLICIES = ['closed', 'marked-late'] as const;
export type LatePolicy = (typeof LATE_POLICIES)[number];
export const SOLUTION_POLICIES = ['after-pass', 'after-due', 'always'] as const;
export type SolutionPolicy = (typeof SOLUTION_POLICIES)[number];

export interface Assignment {
  id: Id;
  classId: Id;
  title: string;
  /** Exercise ids (folders of content/exercises), in the order the instructor chose. */
  exerciseIds: string[];
  opensAt: number;
  dueAt: number;
  /** closed: checks after the deadline do not count; marked-late: they count and are marked late. */
  latePolicy: LatePolicy;
  /** When "Show solution" unlocks for the class, beside a learner's own passing check. */
  solutions: SolutionPolicy;
  createdAt: number;
}

export type NewAssignment = Omit<Assignment, 'id' | 'createdAt'>;

export interface Extension {
  assignmentId: Id;
  memberId: Id;
  dueAt: number;
}

/** One press of "Check my work" by a learner with an identity, as the server ran it. */
export interface Submission {
  id: Id;
  learnerId: Id;
  exerciseId: string;
  lang: string;
  passed: number;
  total: number;
  /** The checker's report's lines, as kept (cut to fit when they were too big: ../check-text.ts). */
  checks: CheckLine[];
  /** When the check lines were cut to fit: their size in bytes as the checker sent them; else null. */
  cutFrom: number | null;
  createdAt: number;
}

export type NewSubmission = Omit<Submission, 'id' | 'createdAt' | 'cutFrom'> & { cutFrom?: number | null };
/** A submission without its check lines: all the grid needs, and several times cheaper to read. */
export type SubmissionSummary = Omit<Submission, 'checks' | 'cutFrom'>;

/** A learner the instructor removed from a class and blocked from joining it again. */
export interface Block {
  classId: Id;
  learnerId: Id;
  /** The name they had in the class. */
  displayName: string;
  blockedAt: number;
}

/** One press of "Start in the lab" (the exercise is then in progress). */
export interface Start {
  learnerId: Id;
  exerciseId: string;
  lang: string;
  createdAt: number;
}

export interface Snapshot {
  assignmentId: Id;
  takenAt: number;
  /** JSON made by the classroom service (the grid as it stood at each student's deadline). */
  data: string;
}

/** A unique constraint said no (an email already signed up, a join code already taken). */
export class DuplicateError extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`${field} is already taken`);
    this.field = field;
  }
}

export interface Store {
  // Instructor (and student) accounts
  /** Throws DuplicateError('email') when the (lower-cased) email exists. */
  createUser(input: { email: string; name: string; passwordHash: string }): Promise<User>;
  userById(id: Id): Promise<User | null>;
  /** The user and their password hash, by lower-cased email. */
  userByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
  setPassword(userId: Id, passwordHash: string): Promise<void>;

  createSession(session: Session): Promise<void>;
  /** The session with this token hash, even if expired (the caller checks expiresAt). */
  sessionByTokenHash(tokenHash: string): Promise<Session | null>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: Id): Promise<void>;

  /** A one-time password reset; `useReset` consumes it atomically. */
  createReset(input: { tokenHash: string; userId: Id; expiresAt: number }): Promise<void>;
  /** The user id if the token exists, is unused and unexpired at `now`; it is then marked used. */
  useReset(tokenHash: string, now: number): Promise<Id | null>;

  // Learners: a device token, or an account
  /** A learner for a device (`tokenHash`) or for an account (`userId`, one learner per user). */
  createLearner(input: { tokenHash: string | null; userId: Id | null }): Promise<Learner>;
  learnerByTokenHash(tokenHash: string): Promise<Learner | null>;
  learnerByUserId(userId: Id): Promise<Learner | null>;

  // Classes and members
  /** Throws DuplicateError('joinCode') when the code is taken. */
  createClass(input: { ownerId: Id; name: string; joinCode: string }): Promise<ClassRoom>;
  classById(id: Id): Promise<ClassRoom | null>;
  classByJoinCode(code: string): Promise<ClassRoom | null>;
  classesOwnedBy(ownerId: Id): Promise<ClassRoom[]>;
  /** Joins (or, if already a member, returns the existing membership unchanged). */
  addMember(input: { classId: Id; learnerId: Id; displayName: string }): Promise<Member>;
  membersOf(classId: Id): Promise<Member[]>;
  memberById(id: Id): Promise<Member | null>;
  /**
   * Takes a student out of a class (their extensions go too; their submissions stay with the
   * learner); with `block`, their learner is also kept from joining the class again.
   */
  removeMember(id: Id, block?: boolean): Promise<void>;
  isBlocked(classId: Id, learnerId: Id): Promise<boolean>;
  /** The class's blocked learners, oldest block first. */
  blocksOf(classId: Id): Promise<Block[]>;
  unblock(classId: Id, learnerId: Id): Promise<void>;
  /** The memberships of a learner, with their classes. */
  membershipsOf(learnerId: Id): Promise<{ member: Member; classRoom: ClassRoom }[]>;

  // Assignments
  createAssignment(input: NewAssignment): Promise<Assignment>;
  updateAssignment(id: Id, input: Omit<NewAssignment, 'classId'>): Promise<void>;
  assignmentById(id: Id): Promise<Assignment | null>;
  assignmentsOf(classId: Id): Promise<Assignment[]>;
  /** Sets or (with dueAt null) removes one student's extension. */
  setExtension(assignmentId: Id, memberId: Id, dueAt: number | null): Promise<void>;
  extensionsOf(assignmentId: Id): Promise<Extension[]>;

  // Work
  /** Durable when the promise resolves: the row is committed (WAL, synchronous=FULL). */
  addSubmission(input: NewSubmission): Promise<Submission>;
  submissionById(id: Id): Promise<Submission | null>;
  /** Submissions of these learners for these exercises, oldest first, without their check lines. */
  submissionsFor(learnerIds: Id[], exerciseIds: string[]): Promise<SubmissionSummary[]>;
  /**
   * One page of a learner's submissions on one exercise made at or after `since`, with their
   * check lines, newest first; `total` counts them all.
   */
  submissionPage(learnerId: Id, exerciseId: string, page: { since: number; offset: number; limit: number }): Promise<{ total: number; submissions: Submission[] }>;
  addStart(input: Omit<Start, 'createdAt'>): Promise<Start>;
  startsFor(learnerIds: Id[], exerciseIds: string[]): Promise<Start[]>;

  // The grid at the deadline, kept
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  snapshotOf(assignmentId: Id): Promise<Snapshot | null>;
  /** Assignments due at or before `now` that have no snapshot yet. */
  assignmentsDueWithoutSnapshot(now: number): Promise<Assignment[]>;

  close(): Promise<void>;
}
