/**
 * The Sockets view as a table, the same picture as the drawing, for screen readers (and for
 * anyone who prefers rows): one row per socket, its process, descriptor, kind, state, ends and
 * queues. Everything the lab chose goes in as textContent.
 */
import type { SocketsFrame } from '../../../wire/microscope.ts';
import { kindLabel, stateText } from './sockets-drawing.ts';

const HEADINGS = ['Process', 'fd', 'Kind', 'State', 'Local', 'Peer', 'Recv-Q', 'Send-Q'];

function cell(tag: 'td' | 'th', text: string): HTMLTableCellElement {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

export function socketsTable(frame: SocketsFrame): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'mscope-table';
  const caption = document.createElement('caption');
  caption.textContent = `Sockets in the lab: ${frame.sockets.length}${frame.more ? ` (and ${frame.more} more not shown)` : ''}`;
  const head = document.createElement('thead');
  const headings = document.createElement('tr');
  for (const heading of HEADINGS) headings.append(Object.assign(cell('th', heading), { scope: 'col' }));
  head.append(headings);
  const commands = new Map(frame.processes.map((p) => [p.pid, p.command]));
  const body = document.createElement('tbody');
  for (const socket of frame.sockets) {
    const row = document.createElement('tr');
    row.dataset.state = socket.state;
    const owners = socket.owners.length ? socket.owners : [null];
    row.append(
      cell('td', owners.map((o) => (o ? `${o.pid} ${commands.get(o.pid) ?? ''}`.trim() : 'none')).join(', ')),
      cell('td', owners.map((o) => (o ? String(o.fd) : '')).join(', ')),
      cell('td', kindLabel(socket)),
      cell('td', stateText(socket)),
      cell('td', socket.local),
      cell('td', socket.peer ?? ''),
      cell('td', String(socket.recvQ)),
      cell('td', String(socket.sendQ)),
    );
    body.append(row);
  }
  table.append(caption, head, body);
  return table;
}
