/**
 * A lab client for tests and benchmarks, written only against docs/protocol.md: create a lab over
 * HTTP, attach terminals over WebSocket (each with a one-time ticket), type into them, and wait for
 * text on screen.
 */
import WebSocket from 'ws';
import { labTicketSchema, terminalTicketSchema, type LabTicket, type TerminalTicket } from '../../wire/lab-api.ts';
import { decodeServerFrame, encode, Op, type ExitInfo, type ReadyInfo, type ErrorInfo, type Notice } from '../../wire/protocol.ts';

/** A new lab's ticket, checked against the wire contract (wire/lab-api.ts). */
export async function createLab(base: string): Promise<LabTicket> {
  const res = await fetch(`${base}/api/labs`, { method: 'POST' });
  const body: unknown = await res.json();
  if (res.status !== 201) throw new Error(`POST /api/labs: ${res.status} ${JSON.stringify(body)}`);
  return labTicketSchema.parse(body);
}

export async function deleteLab(base: string, lab: Pick<LabTicket, 'labId' | 'token'>): Promise<number> {
  const res = await fetch(`${base}/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${lab.token}` } });
  return res.status;
}

/** A one-time ticket for terminal `termId`'s WebSocket, checked against the wire contract. */
export async function terminalTicket(base: string, lab: Pick<LabTicket, 'labId' | 'token'>, termId: string): Promise<TerminalTicket> {
  const res = await fetch(`${base}/api/labs/${lab.labId}/terminals/${termId}/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
  const body: unknown = await res.json();
  if (res.status !== 201) throw new Error(`POST .../terminals/${termId}/ticket: ${res.status} ${JSON.stringify(body)}`);
  return terminalTicketSchema.parse(body);
}

/** The WebSocket URL of terminal `termId`, carrying `ticket`. */
export function terminalUrl(base: string, labId: string, termId: string, ticket: string): URL {
  const url = new URL(`/api/labs/${labId}/terminals/${termId}`, base.replace(/^http/, 'ws'));
  url.searchParams.set('ticket', ticket);
  return url;
}

export interface TermOptions {
  resume?: number;
  /** Send ACKs as output arrives (a well-behaved browser). Default true. */
  ack?: boolean;
  /** Keep only the last this many output bytes (for floods); default: keep everything. */
  keep?: number;
  origin?: string;
}

export class TermClient {
  readonly ws: WebSocket;
  /** Output bytes received on this connection. */
  received = 0;
  output = Buffer.alloc(0);
  /** Absolute offset (on this connection) of output[0]; above 0 once `keep` dropped old bytes. */
  outputBase = 0;
  ready: ReadyInfo | null = null;
  exit: ExitInfo | null = null;
  errors: ErrorInfo[] = [];
  notices: Notice[] = [];
  closed = false;
  private waiters = new Set<() => void>();

  /** Asks for a ticket, then opens the WebSocket (not yet READY: see opened()). */
  static async open(base: string, lab: LabTicket, termId: string, options: TermOptions = {}): Promise<TermClient> {
    const { ticket } = await terminalTicket(base, lab, termId);
    return TermClient.connect(terminalUrl(base, lab.labId, termId, ticket), options);
  }

  /** Opens the WebSocket of a terminal URL that carries its ticket (terminalUrl). */
  static connect(url: URL, options: TermOptions = {}): TermClient {
    return new TermClient(url, options);
  }

  private constructor(url: URL, options: TermOptions) {
    if (options.resume !== undefined) url.searchParams.set('resume', String(options.resume));
    this.ws = new WebSocket(url, options.origin ? { origin: options.origin } : {});
    this.ws.binaryType = 'nodebuffer';
    const ack = options.ack ?? true;
    const keep = options.keep;
    this.ws.on('message', (data: Buffer) => {
      const frame = decodeServerFrame(data);
      if (frame.op === Op.OUTPUT) {
        this.output = Buffer.concat([this.output, frame.data]);
        this.received += frame.data.length;
        if (keep !== undefined && this.output.length > 2 * keep) {
          this.outputBase += this.output.length - keep;
          this.output = Buffer.from(this.output.subarray(this.output.length - keep));
        }
        if (ack) this.ws.send(encode.ack(this.received));
      } else if (frame.op === Op.READY) this.ready = frame.info;
      else if (frame.op === Op.EXIT) this.exit = frame.info;
      else if (frame.op === Op.ERROR) this.errors.push(frame.info);
      else if (frame.op === Op.NOTICE) this.notices.push(frame.info);
      this.wake();
    });
    this.ws.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.ws.on('error', () => {});
  }

  private wake() {
    for (const w of this.waiters) w();
  }

  get text(): string {
    return this.output.toString('utf8');
  }

  opened(): Promise<void> {
    return this.until(() => this.ready !== null, 'READY', 10_000);
  }

  type(text: string): void {
    this.ws.send(encode.input(text));
  }

  /** Resolves when `predicate` holds; rejects after `ms` with the screen so far. */
  until(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          done();
          resolve();
        } else if (this.closed && !predicate()) {
          done();
          reject(new Error(`terminal closed before ${what}. Screen:\n${this.text.slice(-3000)}\nerrors: ${JSON.stringify(this.errors)} exit: ${JSON.stringify(this.exit)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}. Screen:\n${this.text.slice(-3000)}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Position to pass to waitFor to see only output that arrives from now on. */
  get mark(): number {
    return this.outputBase + this.output.length;
  }

  /** Waits until `text` appears in the output after absolute position `from`. */
  waitFor(text: string, ms?: number, from = 0): Promise<void> {
    return this.until(() => this.output.subarray(Math.max(0, from - this.outputBase)).includes(text), JSON.stringify(text), ms);
  }

  /**
   * Runs a shell command and resolves with what it printed, once a marker echoed after it shows.
   * The marker is typed with `""` inside it, so the echoed command line never matches it.
   */
  async sh(command: string, ms = 20_000): Promise<string> {
    const marker = `__done_${Math.random().toString(36).slice(2)}__`;
    const from = this.mark;
    this.type(`${command}; echo ${marker.slice(0, 6)}""${marker.slice(6)}\r`);
    await this.waitFor(marker, ms, from);
    const text = this.output.subarray(from - this.outputBase).toString();
    return text.slice(0, text.lastIndexOf(marker));
  }

  close(): void {
    this.ws.close();
  }
}
