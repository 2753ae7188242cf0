/**
 * The dashboard grid's rules (server/classroom/grid.ts), on hand-made records with exact times: the
 * window, deadlines and extensions, both late policies, the deadline view the snapshot keeps, and
 * the CSV (quoting, formula-looking names).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGrid, describeCell, gridToCsv } from '../../../server/classroom/grid.ts';
import type { Assignment, Member, Start, SubmissionSummary } from '../../../server/classroom/store/types.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 9); // opens
const DUE = T0 + 48 * HOUR;

const assignment = (latePolicy: Assignment['latePolicy']): Assignment => ({
  id: 7,
  classId: 1,
  title: 'Week 1',
  exerciseIds: ['tcp-echo', 'udp-upper'],
  opensAt: T0,
  dueAt: DUE,
  latePolicy,
  solutions: 'after-pass',
  createdAt: T0 - HOUR,
});
const ana: Member = { id: 1, classId: 1, learnerId: 10, displayName: 'Ana', joinedAt: T0 };
const bo: Member = { id: 2, classId: 1, learnerId: 20, displayName: 'Bo', joinedAt: T0 };

let nextId = 1;
const check = (learnerId: number, exerciseId: string, passed: number, total: number, createdAt: number): SubmissionSummary => ({ id: nextId++, learnerId, exerciseId, lang: 'c', passed, total, createdAt });
const start = (learnerId: number, exerciseId: string, createdAt: number): Start => ({ learnerId, exerciseId, lang: 'c', createdAt });
const time = (ms: number) => new Date(ms).toISOString();

describe('the dashboard grid', () => {
  it('shows not started, in progress (a start or a failing check) and passed, with time and attempts', () => {
    const grid = buildGrid({
      assignment: assignment('marked-late'),
      members: [bo, ana],
      extensions: [],
      submissions: [check(10, 'tcp-echo', 2, 5, T0 + HOUR), check(10, 'tcp-echo', 5, 5, T0 + 2 * HOUR), check(10, 'tcp-echo', 3, 5, T0 + 3 * HOUR)],
      starts: [start(20, 'udp-upper', T0 + HOUR)],
    });
    assert.deepEqual(grid.rows.map((r) => r.displayName), ['Ana', 'Bo'], 'rows are sorted by name');
    const [anaEcho, anaUpper] = grid.rows[0]!.cells;
    assert.equal(anaEcho!.state, 'passed');
    assert.equal(anaEcho!.passedAt, T0 + 2 * HOUR, 'the first passing check is when it passed');
    assert.equal(anaEcho!.attempts, 3);
    assert.deepEqual(anaEcho!.best && [anaEcho!.best.passed, anaEcho!.best.total], [5, 5], 'a later worse check does not lower the best');
    assert.equal(anaUpper!.state, 'not-started');
    assert.equal(grid.rows[1]!.cells[1]!.state, 'in-progress', 'a start alone is progress');
    assert.equal(grid.rows[0]!.passed, 1);
    assert.match(describeCell(anaEcho!, time), /^Passed 2026-11-01T11:00:00.000Z · 3 checks$/);
  });

  it('ignores work from before the assignment opened', () => {
    const grid = buildGrid({ assignment: assignment('marked-late'), members: [ana], extensions: [], submissions: [check(10, 'tcp-echo', 5, 5, T0 - 1)], starts: [start(10, 'udp-upper', T0 - 1)] });
    assert.deepEqual(grid.rows[0]!.cells.map((c) => c.state), ['not-started', 'not-started']);
  });

  it('marked-late: a pass after the deadline counts and is marked late; the deadline view leaves it out', () => {
    const input = { members: [ana], extensions: [], submissions: [check(10, 'tcp-echo', 1, 5, DUE - HOUR), check(10, 'tcp-echo', 5, 5, DUE + HOUR)], starts: [] };
    const live = buildGrid({ assignment: assignment('marked-late'), ...input }).rows[0]!.cells[0]!;
    assert.equal(live.state, 'passed');
    assert.equal(live.late, true);
    assert.match(describeCell(live, time), /^Passed late /);
    const atDeadline = buildGrid({ assignment: assignment('marked-late'), ...input, view: 'deadline' }).rows[0]!.cells[0]!;
    assert.equal(atDeadline.state, 'in-progress');
    assert.equal(atDeadline.attempts, 1);
    assert.equal(atDeadline.best?.passed, 1);
  });

  it('closed: checks after the deadline do not count, and the cell says how many there were', () => {
    const grid = buildGrid({ assignment: assignment('closed'), members: [ana], extensions: [], submissions: [check(10, 'tcp-echo', 5, 5, DUE + 1), check(10, 'tcp-echo', 5, 5, DUE + 2)], starts: [] });
    const cell = grid.rows[0]!.cells[0]!;
    assert.equal(cell.state, 'not-started');
    assert.equal(cell.afterDeadline, 2);
    assert.equal(describeCell({ ...cell, state: 'in-progress' }, time), 'In progress · 0 checks · 2 after the deadline, not counted');
  });

  it('an extension moves one student\'s deadline, for the late mark and for the deadline view', () => {
    const extended = DUE + 24 * HOUR;
    const grid = buildGrid({
      assignment: assignment('closed'),
      members: [ana, bo],
      extensions: [{ assignmentId: 7, memberId: ana.id, dueAt: extended }],
      submissions: [check(10, 'tcp-echo', 5, 5, DUE + HOUR), check(20, 'tcp-echo', 5, 5, DUE + HOUR)],
      starts: [],
      view: 'deadline',
    });
    const [anaRow, boRow] = grid.rows;
    assert.equal(anaRow!.dueAt, extended);
    assert.equal(anaRow!.extended, true);
    assert.equal(anaRow!.cells[0]!.state, 'passed', 'within her extension');
    assert.equal(anaRow!.cells[0]!.late, false);
    assert.equal(boRow!.cells[0]!.state, 'not-started', 'after his deadline');
  });

  it('writes a CSV line per student and exercise, quoting commas and defusing formulas', () => {
    const evil: Member = { id: 3, classId: 1, learnerId: 30, displayName: '=HYPERLINK("http://x","Eve, the tester")', joinedAt: T0 };
    const grid = buildGrid({ assignment: assignment('marked-late'), members: [evil], extensions: [], submissions: [check(30, 'udp-upper', 4, 4, T0 + HOUR)], starts: [] });
    const lines = gridToCsv(grid, time).trimEnd().split('\r\n');
    assert.equal(lines[0], 'student,exercise,state,checks_passed,checks_total,attempts,passed_at,late,due_at,status');
    assert.equal(lines.length, 3);
    assert.equal(lines[1], `"'=HYPERLINK(""http://x"",""Eve, the tester"")",tcp-echo,not-started,,,0,,no,${time(DUE)},Not started`);
    assert.equal(lines[2], `"'=HYPERLINK(""http://x"",""Eve, the tester"")",udp-upper,passed,4,4,1,${time(T0 + HOUR)},no,${time(DUE)},Passed ${time(T0 + HOUR)} · 1 check`);
  });
});
