/**
 * The bodies of the lab HTTP API (docs/protocol.md), and of the two JSON answers of the classroom
 * that browser scripts read, as zod schemas: one definition each, imported by the server (which
 * builds these answers, and validates what it parses from a checker) and by the browser and the
 * tests (which read them). tests/wire/lab-api.test.ts parses the real server's answers with them,
 * so the contract cannot drift.
 *
 * The browser imports these as types only (`import type`), so zod stays out of its bundle; it
 * trusts the server's answers as it does the terminal protocol's frames (wire/protocol.ts).
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** What one lab may use: sent with the lab ticket and in every terminal's READY frame. */
export const labLimitsSchema = z.object({
  memoryBytes: count,
  pids: count,
  cpus: z.number().positive(),
  tmpBytes: count,
  /** Files and folders each writable folder (home, /tmp, /dev/shm) may hold, whatever their size. */
  inodes: count,
  terminals: count,
  idleSeconds: count,
  ttlSeconds: count,
});
export type LabLimits = z.infer<typeof labLimitsSchema>;

/** The optional body of POST /api/labs. */
export const labStartSchema = z.object({
  /** The page that starts the lab (its path, e.g. /tcp/): named in the browser's list of its labs. */
  page: z.string().max(200).regex(/^\/[^\s]*$/, 'must be a path of this site, such as /tcp/').optional(),
});
export type LabStart = z.infer<typeof labStartSchema>;

/** The answer of POST /api/labs: the lab, the token that is its only key, and its limits. */
export const labTicketSchema = z.object({
  labId: z.string(),
  token: z.string(),
  /** ISO time when the lab ends at the latest. */
  expiresAt: z.iso.datetime(),
  limits: labLimitsSchema,
});
export type LabTicket = z.infer<typeof labTicketSchema>;

/**
 * The answer of POST /api/labs/:labId/terminals/:termId/ticket: what the terminal's WebSocket URL
 * carries (`?ticket=`) in place of the lab token, which must stay out of URLs and so out of logs.
 * It opens that terminal of that lab once, until `expiresAt` (about 30 s).
 */
export const terminalTicketSchema = z.object({
  ticket: z.string(),
  expiresAt: z.iso.datetime(),
});
export type TerminalTicket = z.infer<typeof terminalTicketSchema>;

/** The answer of GET /api/labs/:labId while the lab runs. */
export const labStatusSchema = z.object({
  labId: z.string(),
  expiresAt: z.iso.datetime(),
  /** The names of the terminals the lab has open. */
  terminals: z.array(z.string()),
});
export type LabStatus = z.infer<typeof labStatusSchema>;

/**
 * The answer of GET /api/labs: the labs this browser started (its owner cookie, docs/protocol.md
 * "Your labs"), oldest first. Never their tokens: DELETE /api/labs/:labId with the same cookie
 * ends one.
 */
export const ownLabsSchema = z.object({
  labs: z.array(
    z.object({
      labId: z.string(),
      startedAt: z.iso.datetime(),
      expiresAt: z.iso.datetime(),
      /** The page that started it, when the browser said. */
      page: z.string().nullable(),
    }),
  ),
});
export type OwnLabs = z.infer<typeof ownLabsSchema>;

/** Every error answer: a sentence for a person and a stable code for programs. */
export const apiErrorSchema = z.object({
  error: z.string(),
  reason: z.string(),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

// Files (GET /api/labs/:labId/files?dir=...)

const ENTRY_KINDS = ['file', 'folder', 'symlink', 'other'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const fileEntrySchema = z.object({
  /** Relative to the home folder, like every path of this API. */
  path: z.string(),
  kind: z.enum(ENTRY_KINDS),
  /** Bytes, for files; 0 for the rest. */
  size: count,
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const listingSchema = z.object({
  dir: z.string(),
  entries: z.array(fileEntrySchema),
  /** True when the folder holds more entries than a listing returns and some were left out. */
  truncated: z.boolean(),
});
export type Listing = z.infer<typeof listingSchema>;

// Exercises (POST .../exercises/:id/start and .../check, GET .../exercises/:id/solution/:lang)

export const startedSchema = z.object({
  /** The exercise's folder in the lab, relative to the home folder. */
  dir: z.string(),
  files: z.array(z.string()),
  /** The files copied now; the others were already there (the learner's work is never overwritten). */
  created: z.array(z.string()),
});
export type Started = z.infer<typeof startedSchema>;

/** One check of a checker's report. */
export const checkLineSchema = z.object({
  id: z.string(),
  title: z.string(),
  pass: z.boolean(),
  sent: z.string(),
  expected: z.string(),
  got: z.string(),
  hint: z.string(),
  /**
   * Set when the check was not run, or failed for a cause an earlier check already shows (the
   * program did not build, never started): why, naming that check. It then does not pass, and
   * pages show this in place of its sent, expected, got and hint (still filled in), which repeat it.
   */
  notRun: z.string().optional(),
});
export type CheckLine = z.infer<typeof checkLineSchema>;

/** What a checker prints as its last line (content/exercises/_lib/checker.ts). */
export const checkReportSchema = z.object({
  checks: z.array(checkLineSchema),
  passed: count,
  total: count,
});
export type CheckReport = z.infer<typeof checkReportSchema>;

/** The answer of a check: the report, which exercise it was, and what the check unlocked or saved. */
export const checkAnswerSchema = checkReportSchema.extend({
  exercise: z.string(),
  lang: z.string(),
  /** The solution can be fetched: this lab has passed the exercise, or an instructor released it. */
  unlocked: z.boolean(),
  /** The check is recorded for the learner's class (a classroom learner's cookie came with it). */
  saved: z.boolean(),
  /** The recorded submission, when `saved`. */
  submissionId: z.number().int().optional(),
});
export type CheckAnswer = z.infer<typeof checkAnswerSchema>;

export const solutionSchema = z.object({
  exercise: z.string(),
  lang: z.string(),
  /** Paths relative to the exercise's language folder. */
  files: z.array(z.object({ path: z.string(), content: z.string() })),
});
export type Solution = z.infer<typeof solutionSchema>;

// The classroom's JSON for browser scripts

/** A student's state on one assigned exercise. */
const CELL_STATES = ['not-started', 'in-progress', 'passed'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** GET /my/learner.json?exercise=<id>: what the classroom knows of this browser, for an exercise page. */
export const learnerStatusSchema = z.object({
  inClass: z.boolean(),
  /** The names of the learner's classes. */
  classes: z.array(z.string()).optional(),
  /** Where the exercise is assigned: the class, the assignment, its due time and the learner's state. */
  assigned: z.array(z.object({ className: z.string(), title: z.string(), dueAt: z.iso.datetime(), state: z.enum(CELL_STATES).optional() })).optional(),
  solutionReleased: z.boolean().optional(),
});
export type LearnerStatus = z.infer<typeof learnerStatusSchema>;

/** One cell of the dashboard: a student's state on one exercise, as the page shows it. */
export const dashboardCellSchema = z.object({
  exerciseId: z.string(),
  /** Also the cell's CSS class. */
  state: z.enum(CELL_STATES),
  text: z.string(),
  href: z.string(),
});

/**
 * One student's row of an assignment's dashboard: the server renders the table from it, and the
 * live event stream (`event: row`) sends it to the browser, which replaces the row.
 */
export const dashboardRowSchema = z.object({
  memberId: z.number().int(),
  displayName: z.string(),
  /** "extended to <time>" when the student's deadline was extended; empty otherwise. */
  due: z.string(),
  passed: count,
  cells: z.array(dashboardCellSchema),
});
export type DashboardRow = z.infer<typeof dashboardRowSchema>;
