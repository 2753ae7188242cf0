/**
 * The Packets view (docs/lab.md): the lab's loopback traffic as a ladder, with a filter box, pause,
 * clear and export, and the counts while a flood is thinned. It owns its WebSocket to the lab
 * microscope (docs/protocol.md, "Lab microscope") and everything it draws; dispose() closes and
 * removes all of it. Loaded only when a learner opens it.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import type { EndedFrame, ErrorFrame, HelloFrame } from '../../../wire/microscope.ts';
import { parsePacketFilter, type PacketClientFrame, type PacketServerFrame } from '../../../wire/microscope-packets.ts';
import { packetsExport } from '../lab/api.ts';
import { Disposable, listen, toDisposable } from '../lab/disposable.ts';
import { MicroscopeConnection } from './connection.ts';
import { PacketsLadder } from './packets-ladder.ts';

type ServerFrame = PacketServerFrame | HelloFrame | ErrorFrame | EndedFrame;

export class PacketsView extends Disposable {
  readonly element: HTMLElement;
  private readonly ticket: LabTicket;
  private readonly ladder: PacketsLadder;
  private readonly status: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly connection: MicroscopeConnection<ServerFrame>;
  private paused = false;
  private filter: { port: number | null; conn: string | null } = { port: null, conn: null };

  constructor(host: HTMLElement, ticket: LabTicket, filter = '') {
    super();
    this.ticket = ticket;
    const doc = host.ownerDocument;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = '') => {
      const node = doc.createElement(tag);
      node.className = className;
      node.textContent = text;
      return node;
    };
    this.element = el('section', 'mpk-view');
    this.element.setAttribute('aria-label', 'Packets on the lab\'s loopback');
    const toolbar = el('form', 'mpk-toolbar');
    const filterLabel = el('label', 'mpk-filter', 'Filter ');
    const filterBox = el('input', '');
    filterBox.name = 'filter';
    filterBox.placeholder = 'port 7000';
    filterBox.value = filter;
    filterLabel.append(filterBox);
    const apply = el('button', '', 'Apply');
    apply.type = 'submit';
    const pause = el('button', 'mpk-pause', 'Pause');
    pause.type = 'button';
    pause.setAttribute('aria-pressed', 'false');
    const clear = el('button', 'mpk-clear', 'Clear');
    clear.type = 'button';
    const exportButton = el('button', 'mpk-export', 'Export .pcap');
    exportButton.type = 'button';
    toolbar.append(filterLabel, apply, pause, clear, exportButton);
    this.status = el('p', 'mpk-status', 'Connecting…');
    this.status.setAttribute('role', 'status');
    this.counts = el('p', 'mpk-counts');
    const help = el('p', 'mpk-note', 'Press Enter on a packet (or double-click it) to see its connection alone. Unix sockets have no packets: watch them in the Sockets view, or run strace in a terminal (strace -e trace=network ./server).');
    this.ladder = this.register(new PacketsLadder(doc));
    this.element.append(toolbar, this.status, this.counts, help, this.ladder.element);
    host.append(this.element);
    this.register(toDisposable(() => this.element.remove()));

    this.register(listen(toolbar, 'submit', (event) => {
      event.preventDefault();
      this.applyFilter(filterBox.value);
    }));
    this.register(listen(pause, 'click', () => {
      this.paused = !this.paused;
      pause.textContent = this.paused ? 'Resume' : 'Pause';
      pause.setAttribute('aria-pressed', String(this.paused));
      this.send({ v: 1, type: 'pause', paused: this.paused });
    }));
    this.register(listen(clear, 'click', () => {
      this.ladder.clear();
      this.ladder.forgetLabels();
      this.send({ v: 1, type: 'packet-clear' });
    }));
    this.register(listen(exportButton, 'click', () => void this.exportPcap()));
    const onlyConnection = (target: EventTarget | null) => {
      const conn = (target as Element | null)?.closest<HTMLElement>('.mpk-row')?.dataset.conn;
      if (!conn) return;
      filterBox.value = `conn ${conn}`;
      this.applyFilter(filterBox.value);
    };
    this.register(listen<KeyboardEvent>(this.ladder.element, 'keydown', (event) => event.key === 'Enter' && onlyConnection(event.target)));
    this.register(listen(this.ladder.element, 'dblclick', (event) => onlyConnection(event.target)));
    this.connection = this.register(
      new MicroscopeConnection<ServerFrame>(ticket, 'packets', {
        frame: (frame) => this.receive(frame),
        // A stop the view already explained (the capture's end) is not overwritten by the close.
        status: (text, live) => {
          if (!live && !this.status.textContent?.startsWith('Stopped')) this.status.textContent = text;
        },
        open: () => {
          // What the view asked for before the connection was there.
          this.send({ v: 1, type: 'packet-filter', ...this.filter });
          if (this.paused) this.send({ v: 1, type: 'pause', paused: true });
        },
      }),
    );
    this.applyFilter(filter);
  }

  private applyFilter(text: string): void {
    const parsed = parsePacketFilter(text);
    if ('error' in parsed) {
      this.status.textContent = parsed.error;
      return;
    }
    this.filter = parsed;
    this.ladder.clear();
    this.send({ v: 1, type: 'packet-filter', ...parsed });
  }

  private send(frame: PacketClientFrame): void {
    this.connection.send(frame);
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'hello':
        this.status.textContent = 'Starting the capture…';
        break;
      case 'packet-capture-start':
        this.status.textContent = 'Capturing: run a server and a client in the lab.';
        break;
      case 'packet':
        this.ladder.add(frame);
        break;
      case 'packet-endpoint':
        this.ladder.label(frame);
        break;
      case 'packet-counts':
        this.counts.textContent = `${frame.seen} seen, ${frame.forwarded} drawn${frame.dropped ? `, ${frame.dropped} not drawn (too many per second: counted only)` : ''}${frame.held ? `, ${frame.held} paused or filtered out` : ''}; ${frame.kept} kept for the export`;
        break;
      case 'packet-capture-end':
        this.status.textContent = `Stopped: ${frame.reason}`;
        break;
      case 'error':
        this.status.textContent = `Stopped: ${frame.message}`;
        break;
      case 'ended':
        this.status.textContent = `Stopped: the lab ended (${frame.reason})`;
        break;
    }
  }

  /** Downloads the kept packets (the export needs the token in a header, so not a plain link). */
  private async exportPcap(): Promise<void> {
    let pcap: Blob;
    try {
      pcap = await packetsExport(this.ticket);
    } catch (err) {
      this.status.textContent = `The export failed: ${(err as Error).message}`;
      return;
    }
    const url = URL.createObjectURL(pcap);
    const link = this.element.ownerDocument.createElement('a');
    link.href = url;
    link.download = 'socketlab-packets.pcap';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
