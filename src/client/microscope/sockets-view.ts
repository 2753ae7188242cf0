/**
 * The Sockets view in the lab panel: a live picture of the lab's sockets (docs/protocol.md, "Lab
 * microscope"), drawn (./sockets-drawing.ts) or as a table (./sockets-table.ts), with Pause and
 * Close. Loaded only when first opened (app.ts imports it on demand). It owns its connection and
 * its elements: disposing it closes the one and removes the others.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import type { SocketsFrame } from '../../../wire/microscope.ts';
import { Disposable, toDisposable } from '../lab/disposable.ts';
import { button, el } from '../lab/panel.ts';
import { MicroscopeConnection } from './connection.ts';
import { drawSockets } from './sockets-drawing.ts';
import { socketsTable } from './sockets-table.ts';

export class SocketsView extends Disposable {
  private readonly content: HTMLElement;
  private readonly status: HTMLElement;
  private readonly connection: MicroscopeConnection;
  private readonly layoutButton: HTMLButtonElement;
  private asTable: boolean;
  private paused = false;
  private latest: SocketsFrame | null = null;

  /** `asTable`: start with the table (the screen reader setting); `close`: the Close button. */
  constructor(slot: HTMLElement, ticket: LabTicket, options: { asTable: boolean; close: () => void }) {
    super();
    this.asTable = options.asTable;
    this.status = el('span', { className: 'mscope-status', role: 'status' });
    // A region the keyboard can reach and scroll (a long picture overflows the panel).
    this.content = el('div', { className: 'mscope-content', tabIndex: 0, role: 'region', ariaLabel: 'Sockets in the lab' }, el('p', { className: 'mscope-empty' }, 'Reading the lab’s sockets…'));
    const layout = (this.layoutButton = button('', () => this.setLayout(!this.asTable), { className: 'lab-tool' }));
    const pause = button('Pause', () => {
      this.paused = !this.paused;
      pause.textContent = this.paused ? 'Resume' : 'Pause';
      pause.setAttribute('aria-pressed', String(this.paused));
      this.connection.pause(this.paused);
    }, { className: 'lab-tool', title: 'Stop (or go on) reading the lab’s sockets' });
    this.setLayout(this.asTable);
    const root = el(
      'section',
      { className: 'mscope', ariaLabel: 'Sockets view' },
      el('div', { className: 'lab-editor-bar mscope-bar' }, el('strong', {}, 'Sockets'), this.status, layout, pause, button('Close', options.close, { className: 'lab-tool', ariaLabel: 'Close the Sockets view' })),
      this.content,
    );
    slot.append(root);
    this.register(toDisposable(() => root.remove()));
    this.connection = this.register(
      new MicroscopeConnection(ticket, 'sockets', {
        status: (text) => (this.status.textContent = text),
        frame: (frame) => {
          if (frame.type !== 'sockets') return;
          this.latest = frame;
          this.render();
        },
      }),
    );
  }

  /** Draws the picture, or lists it in a table. */
  private setLayout(table: boolean): void {
    this.asTable = table;
    this.layoutButton.textContent = table ? 'Drawing' : 'Table';
    this.layoutButton.title = table ? 'Draw the sockets' : 'List the sockets in a table (for screen readers)';
    this.render();
  }

  private render(): void {
    const frame = this.latest;
    if (!frame) return;
    const more = frame.more ? [el('p', { className: 'mscope-more' }, `${frame.more} more sockets not shown.`)] : [];
    if (frame.sockets.length === 0) this.content.replaceChildren(el('p', { className: 'mscope-empty' }, 'No sockets in the lab yet. Start a server in a terminal.'));
    else this.content.replaceChildren(this.asTable ? socketsTable(frame) : drawSockets(frame), ...more);
  }
}
