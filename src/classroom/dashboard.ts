/**
 * A dashboard row as the page shows it (DashboardRow, wire/lab-api.ts): the same data renders the
 * table on the server and, sent over the live event stream, replaces a row in the browser
 * (src/client/dashboard-live.ts), so both agree.
 */
import type { DashboardRow } from '../../wire/lab-api.ts';
import { describeCell, type Row } from '../../server/classroom/grid.ts';
import { formatTime } from '../../server/classroom/time.ts';

export function rowView(row: Row, base: string, timeZone: string): DashboardRow {
  return {
    memberId: row.memberId,
    displayName: row.displayName,
    due: row.extended ? `extended to ${formatTime(row.dueAt, timeZone)}` : '',
    passed: row.passed,
    cells: row.cells.map((cell) => ({
      exerciseId: cell.exerciseId,
      state: cell.state,
      text: describeCell(cell, (ms) => formatTime(ms, timeZone)),
      href: `${base}cells/${row.memberId}/${encodeURIComponent(cell.exerciseId)}/`,
    })),
  };
}
