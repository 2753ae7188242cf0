/**
 * The dashboard's only script: listens on the assignment's event stream and replaces (or adds) the
 * row of a student whose work changed, and says so in a polite live region. EventSource reconnects
 * by itself after a network break; the status line tells the instructor while it does. A student
 * seen for the first time is added to the extensions form too, so it works without a reload.
 */
import type { DashboardRow } from '../../wire/lab-api.ts';

function renderRow(view: DashboardRow): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.member = String(view.memberId);
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = view.displayName;
  if (view.due) {
    const small = document.createElement('small');
    small.className = 'muted';
    small.textContent = ` (${view.due})`;
    th.append(small);
  }
  tr.append(th);
  for (const cell of view.cells) {
    const td = document.createElement('td');
    td.className = cell.state;
    td.dataset.exercise = cell.exerciseId;
    const a = document.createElement('a');
    a.href = cell.href;
    a.textContent = cell.text;
    td.append(a);
    tr.append(td);
  }
  const total = document.createElement('td');
  total.textContent = `${view.passed} / ${view.cells.length}`;
  tr.append(total);
  return tr;
}

/** A student who just joined can be given an extension at once: the form gets their name (and shows, for the first). */
function offerExtension(view: DashboardRow): void {
  const select = document.querySelector<HTMLSelectElement>('select[data-members]');
  if (!select || [...select.options].some((o) => o.value === String(view.memberId))) return;
  select.append(new Option(view.displayName, String(view.memberId)));
  document.querySelector<HTMLElement>('[data-extension-form]')?.removeAttribute('hidden');
  document.querySelector<HTMLElement>('[data-no-members]')?.setAttribute('hidden', '');
}

export function startLiveDashboard(table: HTMLTableElement, status: HTMLElement, announce: HTMLElement): void {
  const source = new EventSource(table.dataset.events!);
  source.addEventListener('open', () => (status.textContent = 'Live: rows update as checks arrive.'));
  source.addEventListener('error', () => (status.textContent = 'Live updates lost; reconnecting… (the table may be behind until then)'));
  source.addEventListener('row', (event) => {
    const view = JSON.parse((event as MessageEvent<string>).data) as DashboardRow;
    const row = renderRow(view);
    const old = table.tBodies[0]!.querySelector(`tr[data-member="${view.memberId}"]`);
    if (old) old.replaceWith(row);
    else {
      table.tBodies[0]!.append(row);
      offerExtension(view);
    }
    table.querySelector('[data-empty]')?.remove();
    announce.textContent = `${view.displayName}: ${view.passed} of ${view.cells.length} passed.`;
  });
}
