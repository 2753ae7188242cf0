/**
 * One microscope view's connection (docs/protocol.md, "Lab microscope"): a one-time ticket, then
 * the WebSocket of JSON text frames. It says what it is doing in words (for the view's status
 * line) and hands the view every frame; disposing it closes the socket.
 */
import type { LabTicket } from '../../../wire/lab-api.ts';
import { MICROSCOPE_VERSION, MicroscopeClose, type EndedFrame, type Envelope, type ErrorFrame, type HelloFrame, type MicroscopeServerFrame, type MicroscopeView, type PauseFrame } from '../../../wire/microscope.ts';
import { microscopeTicket } from '../lab/api.ts';
import type { IDisposable } from '../lab/disposable.ts';

/** `F`: the frames of the view (the sockets view's by default; the packets view adds its own). */
export interface ConnectionEvents<F> {
  frame(frame: F): void;
  /** What the connection is doing, for a person: "Connecting…", "Live", why it stopped. */
  status(text: string, live: boolean): void;
  /** The socket is open: send what the view asked for before it was. */
  open?(): void;
}

export class MicroscopeConnection<F extends Envelope = MicroscopeServerFrame> implements IDisposable {
  private socket: WebSocket | null = null;
  private disposed = false;

  constructor(ticket: LabTicket, view: MicroscopeView, events: ConnectionEvents<F>) {
    void this.open(ticket, view, events);
  }

  private async open(ticket: LabTicket, view: MicroscopeView, events: ConnectionEvents<F>): Promise<void> {
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
    if (events.open) socket.addEventListener('open', () => events.open!());
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const frame = JSON.parse(event.data) as F;
      if (frame.v !== MICROSCOPE_VERSION) return;
      // The frames every view has (wire/microscope.ts), before the view's own.
      const common = frame as Envelope as HelloFrame | ErrorFrame | EndedFrame;
      if (common.type === 'hello') events.status('Live', true);
      else if (common.type === 'error') stopped = common.message;
      else if (common.type === 'ended') stopped = 'The lab has ended.';
      events.frame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (this.disposed) return;
      const why = stopped || (event.code === MicroscopeClose.REPLACED ? 'This view was opened in another tab or window.' : 'The connection was lost; close the view and open it again.');
      events.status(`Stopped. ${why}`, false);
    });
  }

  /** Sends a frame of the view's protocol; nothing while the socket is not open. */
  send(frame: Envelope): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** Pauses (true) or resumes the view's collection on the server. */
  pause(paused: boolean): void {
    const frame: PauseFrame = { v: MICROSCOPE_VERSION, type: 'pause', paused };
    this.send(frame);
  }

  dispose(): void {
    this.disposed = true;
    this.socket?.close();
    this.socket = null;
  }
}
