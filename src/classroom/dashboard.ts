/**
 * A dashboard row as the page shows it: the same data renders the table on the server and, sent
 * over the live event stream, replaces a row in the browser (dashboard-live.ts), so both agree.
 */
import { describeCell, type Row } from '../../server/classroom/grid.ts';
import { formatTime } from '../../server/classroom/time.ts';

export interface CellView {
  exerciseId: string;
  state: string;
  text: string;
  href: string;
}

export interface RowView {
  memberId: number;
  displayName: string;
  due: string;
  passed: number;
  cells: CellView[];
}

export function rowView(row: Row, base: string, timeZone: string): RowView {
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
