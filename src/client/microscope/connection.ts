/**
 * One microscope view's connection (docs/protocol.md, "Lab microscope"): a one-time ticket, then
 * the WebSocket of JSON text frames. It says what it is doing in words (for the view's status
 * line) and hands the view every frame; disposing it closes the socket.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import { MICROSCOPE_VERSION, MicroscopeClose, type MicroscopeServerFrame, type MicroscopeView, type PauseFrame } from '../../../wire/microscope.ts';
import { microscopeTicket } from '../lab/api.ts';
import type { IDisposable } from '../lab/disposable.ts';

export interface ConnectionEvents {
  frame(frame: MicroscopeServerFrame): void;
  /** What the connection is doing, for a person: "Connecting…", "Live", why it stopped. */
  status(text: string, live: boolean): void;
}

export class MicroscopeConnection implements IDisposable {
  private socket: WebSocket | null = null;
  private disposed = false;

  constructor(ticket: LabTicket, view: MicroscopeView, events: ConnectionEvents) {
    void this.open(ticket, view, events);
  }

  private async open(ticket: LabTicket, view: MicroscopeView, events: ConnectionEvents): Promise<void> {
    events.status('Connecting…', false);
    let one: string;
    try {
      one = (await microscopeTicket(ticket, view)).ticket;
    } catch (err) {
      if (!this.disposed) events.status(`Not connected: ${(err as Error).message}`, false);
      return;
    }
    if (this.disposed) return;
    const url = new URL(`/api/labs/${encodeURIComponent(ticket.labId)}/microscope/${view}`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', one);
    const socket = (this.socket = new WebSocket(url));
    let stopped = '';
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const frame = JSON.parse(event.data) as MicroscopeServerFrame;
      if (frame.v !== MICROSCOPE_VERSION) return;
      if (frame.type === 'hello') events.status('Live', true);
      else if (frame.type === 'error') stopped = frame.message;
      else if (frame.type === 'ended') stopped = 'The lab has ended.';
      events.frame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (this.disposed) return;
      const why = stopped || (event.code === MicroscopeClose.REPLACED ? 'This view was opened in another tab or window.' : 'The connection was lost; close the view and open it again.');
      events.status(`Stopped. ${why}`, false);
    });
  }

  /** Pauses (true) or resumes the view's collection on the server. */
  pause(paused: boolean): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ v: MICROSCOPE_VERSION, type: 'pause', paused } satisfies PauseFrame));
  }

  dispose(): void {
    this.disposed = true;
    this.socket?.close();
    this.socket = null;
  }
}
