/**
 * One terminal's WebSocket, speaking the lab protocol (wire/protocol.ts, the module the server
 * uses too). It knows nothing of the screen: output goes to `onOutput` with a callback to call once
 * it is rendered, which is what the ACKs count, so a flood can never run ahead of the browser.
 *
 * A connection lost without an EXIT is retried with backoff, resuming from the next byte not yet
 * received: the server replays exactly what was missed, nothing twice. After a few failures the
 * link asks the HTTP API whether the lab still exists, to tell "gone" from "network down".
 *
 * Every connection, first or retried, gets its URL from `url()`: it carries a fresh one-time ticket
 * (docs/protocol.md), never the lab token, which must stay out of URLs and so out of proxy logs.
 */
import { decodeServerFrame, encode, Op, type ErrorInfo, type ExitInfo, type Notice, type ReadyInfo } from '../../../wire/protocol.ts';

export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'ready'; info: ReadyInfo }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'exited'; exit: ExitInfo }
  /** Another tab or window attached to this terminal. */
  | { kind: 'taken' }
  /** The lab no longer exists on the server: `failed` when it stopped unexpectedly, else `gone`. */
  | { kind: 'lab-gone'; reason: 'gone' | 'failed' }
  | { kind: 'failed'; error: ErrorInfo };

export interface LinkHandlers {
  onOutput(data: Uint8Array, rendered: () => void): void;
  onState(state: LinkState): void;
  onNotice(notice: Notice): void;
  /** Resolves true while the lab exists, false once the server says it is gone (throws if unreachable). */
  labExists(): Promise<boolean>;
  /** The terminal's WebSocket path with a fresh ticket; null once the lab is gone (throws if unreachable). */
  url(): Promise<string | null>;
}

/** ACK at least this often (bytes rendered since the last ACK); small output is ACKed after a pause. */
const ACK_EVERY = 64 * 1024;
const ACK_DELAY_MS = 50;
const MAX_BACKOFF_MS = 5000;

export class TerminalLink {
  private ws: WebSocket | null = null;
  /** Counts connect() calls, so a ticket that arrives after a newer connect (or a stop) is dropped. */
  private connects = 0;
  private readonly handlers: LinkHandlers;
  /** Absolute offset of the next output byte; null until the first READY (then replay from the start). */
  private nextOffset: number | null = null;
  /** Output bytes rendered on the current connection, and how many of them the server has been told. */
  private rendered = 0;
  private acked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private pendingInput: Uint8Array[] = [];
  private size: { cols: number; rows: number } | null = null;
  private stopped = false;
  private exited = false;
  /** The current connection has had its READY: the server is listening for input. */
  private live = false;

  constructor(handlers: LinkHandlers) {
    this.handlers = handlers;
  }

  /** Opens the connection; a fresh link replays the terminal's whole kept output. */
  connect(): void {
    if (this.stopped) return;
    this.exited = false;
    this.live = false;
    this.handlers.onState(this.attempts === 0 ? { kind: 'connecting' } : { kind: 'reconnecting', attempt: this.attempts });
    const connect = ++this.connects;
    this.handlers.url().then(
      (path) => {
        if (connect !== this.connects || this.stopped) return;
        if (path === null) this.handlers.onState({ kind: 'lab-gone', reason: 'gone' });
        else this.open(path);
      },
      () => {
        if (connect === this.connects && !this.stopped) this.scheduleRetry(); // server unreachable
      },
    );
  }

  private open(path: string): void {
    const url = new URL(path, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.nextOffset !== null) url.searchParams.set('resume', String(this.nextOffset));
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.rendered = 0;
    this.acked = 0;
    let connectionStart = 0;
    let received = 0;
    let sawError: ErrorInfo | null = null;

    ws.onmessage = (event) => {
      const frame = decodeServerFrame(new Uint8Array(event.data as ArrayBuffer));
      switch (frame.op) {
        case Op.OUTPUT: {
          received += frame.data.length;
          this.nextOffset = connectionStart + received;
          const bytes = frame.data.length;
          this.handlers.onOutput(frame.data, () => this.renderedBytes(ws, bytes));
          break;
        }
        case Op.READY:
          connectionStart = frame.info.offset;
          this.nextOffset = connectionStart;
          this.attempts = 0;
          this.live = true;
          if (this.size) ws.send(encode.resize(this.size));
          for (const data of this.pendingInput.splice(0)) ws.send(encode.input(data));
          this.handlers.onState({ kind: 'ready', info: frame.info });
          break;
        case Op.EXIT:
          this.exited = true;
          this.handlers.onState({ kind: 'exited', exit: frame.info });
          break;
        case Op.ERROR:
          sawError = frame.info;
          break;
        case Op.NOTICE:
          this.handlers.onNotice(frame.info);
          break;
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.live = false;
      if (this.stopped || this.exited) return;
      if (event.code === 4404) return this.handlers.onState({ kind: 'lab-gone', reason: sawError?.code === 'lab-failed' ? 'failed' : 'gone' });
      if (event.code === 4000 && event.reason === 'attached elsewhere') return this.handlers.onState({ kind: 'taken' });
      if (sawError) return this.handlers.onState({ kind: 'failed', error: sawError });
      this.scheduleRetry();
    };
  }

  private renderedBytes(ws: WebSocket, bytes: number): void {
    if (ws !== this.ws) return; // rendered after a reconnect: the new connection counts afresh
    this.rendered += bytes;
    if (this.rendered - this.acked >= ACK_EVERY) this.sendAck();
    else this.ackTimer ??= setTimeout(() => this.sendAck(), ACK_DELAY_MS);
  }

  private sendAck(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.ws?.readyState === WebSocket.OPEN && this.rendered > this.acked) {
      this.acked = this.rendered;
      this.ws.send(encode.ack(this.rendered));
    }
  }

  private scheduleRetry(): void {
    this.attempts++;
    this.handlers.onState({ kind: 'reconnecting', attempt: this.attempts });
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (this.attempts - 1));
    this.retryTimer = setTimeout(() => void this.retry(), delay);
  }

  private async retry(): Promise<void> {
    if (this.stopped) return;
    // From the third failure on, a refused upgrade may mean the lab is gone: ask the HTTP API.
    if (this.attempts >= 3) {
      try {
        if (!(await this.handlers.labExists())) return this.handlers.onState({ kind: 'lab-gone', reason: 'gone' });
      } catch {
        // server unreachable: keep trying
      }
    }
    this.connect();
  }

  /** Keystrokes; kept while (re)connecting and sent once the terminal is ready. */
  send(data: Uint8Array): void {
    if (this.live && this.ws?.readyState === WebSocket.OPEN) this.ws.send(encode.input(data));
    else this.pendingInput.push(data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    if (this.live && this.ws?.readyState === WebSocket.OPEN) this.ws.send(encode.resize(this.size));
  }

  /** Starts a new shell after this one exited (the server opens a new one under the same name). */
  restart(): void {
    this.nextOffset = null;
    this.attempts = 0;
    this.ws?.close();
    this.ws = null;
    this.connect();
  }

  /** Closes the socket as a network failure would; the link reconnects and resumes (for tests and debugging). */
  drop(): void {
    this.ws?.close(4001, 'dropped by the page');
  }

  stop(): void {
    this.stopped = true;
    this.connects++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ws?.close(1000, 'closed by the page');
    this.ws = null;
  }
}
