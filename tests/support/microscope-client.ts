/**
 * A microscope client for tests, written only against docs/protocol.md ("Lab microscope"): ask for
 * a one-time ticket with the lab's token, open the view's WebSocket, keep every frame, and wait for
 * a frame that satisfies a predicate.
 */
import WebSocket from 'ws';
import { terminalTicketSchema, type LabTicket } from '../../wire/lab-api.ts';
import type { LabSocket, MicroscopeServerFrame, MicroscopeView, SocketsFrame } from '../../wire/microscope.ts';

export async function microscopeTicket(base: string, lab: Pick<LabTicket, 'labId' | 'token'>, view: string): Promise<string> {
  const res = await fetch(`${base}/api/labs/${lab.labId}/microscope/${view}/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
  const body: unknown = await res.json();
  if (res.status !== 201) throw new Error(`POST .../microscope/${view}/ticket: ${res.status} ${JSON.stringify(body)}`);
  return terminalTicketSchema.parse(body).ticket;
}

export function microscopeUrl(base: string, labId: string, view: string, ticket: string): URL {
  const url = new URL(`/api/labs/${labId}/microscope/${view}`, base.replace(/^http/, 'ws'));
  url.searchParams.set('ticket', ticket);
  return url;
}

export class MicroscopeClient {
  readonly ws: WebSocket;
  readonly frames: MicroscopeServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly waiters = new Set<() => void>();

  static async open(base: string, lab: LabTicket, view: MicroscopeView): Promise<MicroscopeClient> {
    return new MicroscopeClient(microscopeUrl(base, lab.labId, view, await microscopeTicket(base, lab, view)));
  }

  private constructor(url: URL) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) throw new Error('the microscope sent a binary frame');
      this.frames.push(JSON.parse(data.toString('utf8')) as MicroscopeServerFrame);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    this.ws.on('error', () => {});
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** The latest Sockets picture. */
  get latest(): SocketsFrame | undefined {
    return this.frames.findLast((f): f is SocketsFrame => f.type === 'sockets');
  }

  /** Resolves with the first frame from index `from` on that satisfies `predicate`. */
  until<T extends MicroscopeServerFrame>(predicate: (frame: MicroscopeServerFrame) => frame is T, what: string, ms?: number, from?: number): Promise<T>;
  until(predicate: (frame: MicroscopeServerFrame) => boolean, what: string, ms?: number, from?: number): Promise<MicroscopeServerFrame>;
  until(predicate: (frame: MicroscopeServerFrame) => boolean, what: string, ms = 15_000, from = 0): Promise<MicroscopeServerFrame> {
    return new Promise((resolve, reject) => {
      let index = from;
      const check = () => {
        for (; index < this.frames.length; index++) {
          if (predicate(this.frames[index]!)) return finish(() => resolve(this.frames[index]!));
        }
        if (this.closed) finish(() => reject(new Error(`the view closed (${this.closed!.code} ${this.closed!.reason}) before ${what}; last frame: ${JSON.stringify(this.frames.at(-1))?.slice(0, 3000)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}; last picture: ${JSON.stringify(this.latest)?.slice(0, 4000)}`))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The first Sockets picture (from frame `from` on) in which `predicate` holds. */
  picture(predicate: (sockets: LabSocket[], frame: SocketsFrame) => boolean, what: string, ms?: number, from?: number): Promise<SocketsFrame> {
    return this.until((f): f is SocketsFrame => f.type === 'sockets' && predicate(f.sockets, f), what, ms, from) as Promise<SocketsFrame>;
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.close();
  }
}
