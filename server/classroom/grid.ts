/**
 * The dashboard's grid, students x exercises, computed from the raw record (submissions and starts
 * are never changed once written). One pure function serves the live dashboard, the CSV and the
 * snapshot at the deadline, so the three cannot disagree.
 */
import type { CellState } from '../../wire/lab-api.ts';
import type { Assignment, Extension, Id, Member, Start, SubmissionSummary } from './store/types.ts';
import { count } from '../../wire/words.ts';

export interface Cell {
  exerciseId: string;
  state: CellState;
  /** Checks run in the assignment's window (after it opened; before the deadline for a snapshot). */
  attempts: number;
  /** The best check: most checks passing, the later one on a tie. */
  best: { passed: number; total: number; submissionId: Id } | null;
  /** When the first counted passing check ran. */
  passedAt: number | null;
  /** Passed after the student's deadline (only with the marked-late policy). */
  late: boolean;
  /** Checks after the deadline that did not count (closed policy). */
  afterDeadline: number;
}

export interface Row {
  memberId: Id;
  learnerId: Id;
  displayName: string;
  /** This student's deadline: the assignment's, or their extension. */
  dueAt: number;
  extended: boolean;
  cells: Cell[];
  passed: number;
}

export interface Grid {
  assignmentId: Id;
  exerciseIds: string[];
  rows: Row[];
  /** `deadline`: each student's work up to their own deadline only (the snapshot). */
  view: 'live' | 'deadline';
}

export interface GridInput {
  assignment: Assignment;
  members: Member[];
  extensions: Extension[];
  submissions: SubmissionSummary[];
  starts: Start[];
  view?: Grid['view'];
}

export function buildGrid({ assignment, members, extensions, submissions, starts, view = 'live' }: GridInput): Grid {
  const extended = new Map(extensions.map((e) => [e.memberId, e.dueAt]));
  const key = (learnerId: Id, exerciseId: string) => `${learnerId}\u0000${exerciseId}`;
  const byCell = new Map<string, SubmissionSummary[]>();
  for (const s of submissions) {
    if (s.createdAt < assignment.opensAt) continue;
    const list = byCell.get(key(s.learnerId, s.exerciseId)) ?? [];
    list.push(s);
    byCell.set(key(s.learnerId, s.exerciseId), list);
  }
  const started = new Map<string, number>();
  for (const s of starts) {
    if (s.createdAt < assignment.opensAt) continue;
    const k = key(s.learnerId, s.exerciseId);
    started.set(k, Math.min(started.get(k) ?? Infinity, s.createdAt));
  }

  const rows = members.map((member): Row => {
    const dueAt = extended.get(member.id) ?? assignment.dueAt;
    const cells = assignment.exerciseIds.map((exerciseId): Cell => {
      const k = key(member.learnerId, exerciseId);
      const all = (byCell.get(k) ?? []).sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
      const inTime = all.filter((s) => s.createdAt <= dueAt);
      const late = all.filter((s) => s.createdAt > dueAt);
      const counted = view === 'deadline' || assignment.latePolicy === 'closed' ? inTime : all;
      const startedAt = started.get(k);
      const startedInView = startedAt !== undefined && (view === 'live' || startedAt <= dueAt);

      let best: Cell['best'] = null;
      for (const s of counted) if (!best || s.passed >= best.passed) best = { passed: s.passed, total: s.total, submissionId: s.id };
      const firstPass = counted.find((s) => s.total > 0 && s.passed === s.total);
      return {
        exerciseId,
        state: firstPass ? 'passed' : counted.length > 0 || startedInView ? 'in-progress' : 'not-started',
        attempts: counted.length,
        best,
        passedAt: firstPass?.createdAt ?? null,
        late: firstPass !== undefined && firstPass.createdAt > dueAt,
        afterDeadline: view === 'live' && assignment.latePolicy === 'closed' ? late.length : 0,
      };
    });
    return {
      memberId: member.id,
      learnerId: member.learnerId,
      displayName: member.displayName,
      dueAt,
      extended: extended.has(member.id),
      cells,
      passed: cells.filter((c) => c.state === 'passed').length,
    };
  });
  rows.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.memberId - b.memberId);
  return { assignmentId: assignment.id, exerciseIds: assignment.exerciseIds, rows, view };
}

/** One line a person reads in a cell (and in the CSV's `status` column). */
export function describeCell(cell: Cell, formatTime: (ms: number) => string): string {
  if (cell.state === 'not-started') return 'Not started';
  const tries = count(cell.attempts, 'check');
  if (cell.state === 'passed') return `Passed${cell.late ? ' late' : ''} ${formatTime(cell.passedAt!)} · ${tries}`;
  const best = cell.best ? ` · best ${cell.best.passed}/${cell.best.total}` : '';
  const after = cell.afterDeadline > 0 ? ` · ${cell.afterDeadline} after the deadline, not counted` : '';
  return `In progress${best} · ${tries}${after}`;
}

// CSV: RFC 4180 quoting, and a leading ' before = + - @ so a spreadsheet never runs a cell as a formula.
function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function gridToCsv(grid: Grid, formatTime: (ms: number) => string): string {
  const header = ['student', 'exercise', 'state', 'checks_passed', 'checks_total', 'attempts', 'passed_at', 'late', 'due_at', 'status'];
  const lines = [header.join(',')];
  for (const row of grid.rows) {
    for (const cell of row.cells) {
      lines.push(
        [
          row.displayName,
          cell.exerciseId,
          cell.state,
          cell.best?.passed ?? '',
          cell.best?.total ?? '',
          cell.attempts,
          cell.passedAt === null ? '' : new Date(cell.passedAt).toISOString(),
          cell.late ? 'yes' : 'no',
          new Date(row.dueAt).toISOString(),
          describeCell(cell, formatTime),
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
