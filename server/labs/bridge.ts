/**
 * The WebSocket bridge: `GET /api/labs/:labId/terminals/:termId?ticket=...&resume=...` upgrades to
 * a WebSocket attached to one terminal of a lab. The ticket is a one-time one for that terminal
 * (./terminal-tickets.ts), never the lab token. Refusals (foreign Origin, bad terminal name, a token
 * in the URL, a bad ticket, an ended lab) happen before the upgrade, as plain HTTP answers. After it, every frame is
 * checked by the shared protocol module; a bad one gets an ERROR frame and a close, never a crash.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientFrame, encode, Op, ProtocolError, TERM_ID_PATTERN } from '../../wire/protocol.ts';
import { ApiError } from '../../wire/api-error.ts';
import type { Config } from '../config.ts';
import { LabError, type Lab, type LabManager } from './manager.ts';
import { labLog, log } from '../log.ts';
import { metrics } from '../metrics.ts';
import type { Peer, Terminal } from './terminal.ts';
import { TICKET_SECONDS } from './terminal-tickets.ts';

const TERMINAL_PATH = /^\/api\/labs\/([^/]+)\/terminals\/([^/]+)$/;
/** ws itself refuses anything above this before buffering it; our own, smaller limit is checked per message. */
const HARD_MAX_PAYLOAD = 1024 * 1024;

export class Bridge {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });
  private readonly labs: LabManager;
  private readonly config: Config;

  constructor(config: Config, labs: LabManager) {
    this.config = config;
    this.labs = labs;
    labs.onNotice = (lab, notice) => {
      const frame = encode.notice(notice);
      for (const client of this.wss.clients) if ((client as TaggedSocket).labId === lab.id) client.send(frame);
    };
  }

  /** Handles an HTTP upgrade request; returns false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = TERMINAL_PATH.exec(url.pathname);
    if (!match) return false;
    const [, labId, termId] = match as unknown as [string, string, string];
    const refuse = upgradeRefuser(req, socket, 'terminal', labId, { termId: termId.slice(0, 40) });
    if (!originAllowed(req, this.config.ALLOWED_ORIGINS)) return refuse(403, 'origin', `Origin ${req.headers.origin} may not open terminals here.`);
    if (!TERM_ID_PATTERN.test(termId)) return refuse(400, 'term-id', 'A terminal name is 1 to 32 characters of a-z, 0-9 and "-".');
    if (url.searchParams.has('token')) {
      return refuse(400, 'token-in-url', 'A terminal URL does not carry the lab token (URLs land in proxy logs): POST /api/labs/<labId>/terminals/<name>/ticket with the header Authorization: Bearer <token>, then open this URL with ?ticket=<the ticket> in place of ?token=.');
    }
    // The same answer whatever was wrong with the ticket, and before the lab is looked up, so lab ids cannot be probed.
    const ticket = url.searchParams.get('ticket');
    if (!ticket || !this.labs.tickets.redeem(ticket, labId, termId)) {
      return refuse(403, 'ticket', `This terminal ticket is unknown, used, expired or for another terminal: a ticket opens one terminal once, within ${TICKET_SECONDS} seconds. Ask for a new one: POST /api/labs/<labId>/terminals/<name>/ticket.`);
    }
    const lab = this.labs.get(labId);
    if (!lab || lab.ended) return refuse(404, 'no-lab', 'The lab has ended. Start a new lab.');
    const resumeParam = url.searchParams.get('resume');
    const resume = resumeParam !== null && /^\d{1,15}$/.test(resumeParam) ? Number(resumeParam) : null;

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const tagged = ws as TaggedSocket;
      tagged.labId = lab.id;
      void this.attach(tagged, lab, termId, resume);
    });
    return true;
  }

  private async attach(ws: TaggedSocket, lab: Lab, termId: string, resume: number | null): Promise<void> {
    const peer: Peer = {
      send: (data) => {
        if (ws.readyState === ws.OPEN) ws.send(data);
      },
      close: (code, reason) => ws.close(code, reason),
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      pauseInput: () => ws.pause(),
      resumeInput: () => ws.resume(),
    };
    let terminal: Terminal | null = null;
    // Every listener is in place before the shell is awaited, so nothing that happens meanwhile is
    // missed: a close would leave the terminal attached to nobody, and an 'error' without a listener
    // would end the process. Frames wait in the paused socket, not in our memory, until the
    // terminal exists; a close is seen once it is read, after the attach.
    ws.pause();
    ws.on('message', (message: Buffer, isBinary: boolean) => {
      const attached = terminal;
      if (!attached) return; // the socket is paused until there is a terminal
      try {
        if (!isBinary) throw new ProtocolError('text-frame', 'frames must be binary (opcode byte + payload)');
        if (message.length > this.config.WS_MAX_PAYLOAD_KB * 1024) {
          throw new ProtocolError('frame-too-large', `a frame may be at most ${this.config.WS_MAX_PAYLOAD_KB} KiB; send input in smaller pieces`);
        }
        const frame = decodeClientFrame(message);
        // INPUT is not activity by itself: what the shell answers with is (LabManager.touch).
        if (frame.op === Op.INPUT) attached.input(frame.data);
        else if (frame.op === Op.RESIZE) attached.resize(frame.size.cols, frame.size.rows);
        else attached.ack(peer, frame.bytes);
      } catch (err) {
        const code = err instanceof ProtocolError ? err.code : 'internal';
        metrics.protocolErrors.inc({ code });
        labLog(lab.id).info({ termId, code }, 'protocol error: closing the connection');
        ws.send(encode.error({ code, message: (err as Error).message }));
        ws.close(code === 'frame-too-large' ? 1009 : 1002, code);
      }
    });
    // ws raises an error (and closes) on frames above its hard limit or broken framing; it must not crash us.
    ws.on('error', (err: Error & { code?: string }) => {
      metrics.protocolErrors.inc({ code: 'websocket' });
      labLog(lab.id).info({ termId, error: err.code ?? err.message }, 'WebSocket error');
    });
    // The terminal's grace period starts: a reload or a network blip can reattach and replay.
    ws.on('close', () => terminal?.detach(peer));
    try {
      const opened = await this.labs.terminal(lab, termId, { cols: 80, rows: 24 });
      // Closed meanwhile: the terminal stays detached, and its grace period runs.
      if (ws.readyState !== ws.OPEN) return;
      terminal = opened.terminal;
      this.labs.touch(lab);
      // Before the attach: the terminal pauses the socket again when the shell's input is full.
      ws.resume();
      terminal.attach(peer, resume, (offset) =>
        ws.send(encode.ready({ offset, reattached: !opened.created, limits: this.labs.limits, expiresAt: new Date(lab.expiresAt).toISOString() })),
      );
    } catch (err) {
      // The manager words every failure for the learner; anything else is logged, not shown.
      if (!(err instanceof LabError)) labLog(lab.id).error({ err, termId }, 'a terminal could not open');
      const { reason, message } = err instanceof LabError ? err : { reason: 'sandbox', message: 'The lab did not answer. Press Try again.' };
      ws.send(encode.error({ code: reason, message }));
      ws.close(reason === 'no-lab' || reason === 'lab-failed' ? 4404 : 4000, reason);
    } finally {
      // Without a terminal only the close is left to read.
      if (!terminal) ws.resume();
    }
  }

  /** Closes every connection (after the labs have sent their EXIT frames). */
  close(): void {
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    this.wss.close();
  }
}

type TaggedSocket = WebSocket & { labId?: string };

/** A WebSocket request's Origin is this site's own, or one of ALLOWED_ORIGINS. */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  // Browsers always send Origin on WebSocket requests; other clients (curl, scripts) need not.
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * How an upgrade to `what` ("terminal", "microscope") is refused: counted, logged (never the URL:
 * it carries the ticket; the lab id only when it is one) and answered with the API's error body.
 * The returned function answers true, for handleUpgrade to return.
 */
export function upgradeRefuser(req: IncomingMessage, socket: Duplex, what: string, labId: string, fields: Record<string, string>): (status: number, reason: string, message: string) => true {
  return (status, reason, message) => {
    metrics.wsRefused.inc({ reason });
    log.info({ labId: /^[0-9a-f]{32}$/.test(labId) ? labId : undefined, ...fields, reason, origin: req.headers.origin }, `${what} refused`);
    refuseUpgrade(socket, new ApiError(status, reason, message));
    return true;
  };
}

/** Refuses an upgrade before it happens, with a plain HTTP answer carrying the API's error body. */
export function refuseUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.body);
  const status = err.status;
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
