/**
 * The microscope's channel: `GET /api/labs/:labId/microscope/:view?ticket=...` upgrades to a
 * WebSocket carrying one view (./views.ts) of one lab, as JSON text frames (wire/microscope.ts,
 * docs/protocol.md). Authorised like a terminal: a one-time ticket asked for with the lab's token
 * (POST .../microscope/:view/ticket), never the token in the URL. One connection per lab per view:
 * a second replaces the first. The view runs while its connection is open and stops when it
 * closes or the lab ends, so nothing is collected for nobody.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { MICROSCOPE_MAX_CLIENT_FRAME, MICROSCOPE_VERSION, MicroscopeClose, type Envelope } from '../../wire/microscope.ts';
import type { Config } from '../config.ts';
import { originAllowed, upgradeRefuser } from '../labs/bridge.ts';
import type { Lab, LabManager } from '../labs/manager.ts';
import { TICKET_SECONDS } from '../labs/terminal-tickets.ts';
import { labLog } from '../log.ts';
import { metrics } from '../metrics.ts';
import { pauseSchema, viewNamed, type RunningView, type ViewDefinition } from './views.ts';
import './all-views.ts';

const MICROSCOPE_PATH = /^\/api\/labs\/([^/]+)\/microscope\/([^/]+)$/;
/** What may wait in a connection's send buffer; past it a view's frames are dropped, never queued. */
const SEND_BUDGET = 512 * 1024;

/** The name tickets for a view are issued under: no terminal name has a "/", so none can collide. */
export const microscopeTicketName = (view: string) => `microscope/${view}`;

const envelopeSchema = z.object({ v: z.literal(MICROSCOPE_VERSION), type: z.string().min(1).max(32) }).passthrough();

interface Connection {
  labId: string;
  /** Closes the connection (and stops its view), once. */
  close(code: number, reason: string, lastFrame?: string): void;
}

export class MicroscopeChannel {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly labs: LabManager;
  private readonly config: Config;
  /** By `<labId>/<view>`. */
  private readonly connections = new Map<string, Connection>();

  constructor(config: Config, labs: LabManager) {
    this.config = config;
    this.labs = labs;
    labs.onEnd((lab, reason) => {
      const ended = JSON.stringify({ v: MICROSCOPE_VERSION, type: 'ended', reason });
      for (const connection of [...this.connections.values()]) {
        if (connection.labId === lab.id) connection.close(MicroscopeClose.LAB_ENDED, 'lab-ended', ended);
      }
    });
  }

  /** Handles an HTTP upgrade request; returns false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = MICROSCOPE_PATH.exec(url.pathname);
    if (!match) return false;
    const [, labId, view] = match as unknown as [string, string, string];
    const refuse = upgradeRefuser(req, socket, 'microscope', labId, { view: view.slice(0, 40) });
    if (!originAllowed(req, this.config.ALLOWED_ORIGINS)) return refuse(403, 'origin', `Origin ${req.headers.origin} may not open the microscope here.`);
    const definition = viewNamed(view);
    if (!definition) return refuse(404, 'view', `There is no microscope view "${view.slice(0, 40)}"; the views are "sockets" and "packets".`);
    if (url.searchParams.has('token')) {
      return refuse(400, 'token-in-url', `A microscope URL does not carry the lab token (URLs land in proxy logs): POST /api/labs/<labId>/microscope/${view}/ticket with the header Authorization: Bearer <token>, then open this URL with ?ticket=<the ticket>.`);
    }
    const ticket = url.searchParams.get('ticket');
    if (!ticket || !this.labs.tickets.redeem(ticket, labId, microscopeTicketName(view))) {
      return refuse(403, 'ticket', `This microscope ticket is unknown, used, expired or for another view: a ticket opens one view once, within ${TICKET_SECONDS} seconds. Ask for a new one: POST /api/labs/<labId>/microscope/${view}/ticket.`);
    }
    const lab = this.labs.get(labId);
    if (!lab || lab.ended) return refuse(404, 'no-lab', 'The lab has ended. Start a new lab.');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, lab, view, definition));
    return true;
  }

  private attach(ws: WebSocket, lab: Lab, view: string, definition: ViewDefinition): void {
    const key = `${lab.id}/${view}`;
    const labLogger = labLog(lab.id).child({ view });
    this.connections.get(key)?.close(MicroscopeClose.REPLACED, 'replaced by a newer connection');
    let running: RunningView | null = null;
    let handler: ((message: Envelope & Record<string, unknown>) => void) | null = null;
    let over = false;
    const connection: Connection = {
      labId: lab.id,
      close: (code, reason, lastFrame) => {
        if (over) return;
        over = true;
        if (this.connections.get(key) === connection) this.connections.delete(key);
        running?.stop();
        if (ws.readyState === ws.OPEN) {
          if (lastFrame) ws.send(lastFrame);
          ws.close(code, reason);
        }
      },
    };
    this.connections.set(key, connection);
    const send = (frame: string): boolean => {
      if (over || ws.readyState !== ws.OPEN || ws.bufferedAmount > SEND_BUDGET) return false;
      ws.send(frame);
      return true;
    };
    const error = (code: string, message: string) => JSON.stringify({ v: MICROSCOPE_VERSION, type: 'error', code, message });
    const schema = definition.clientMessage ?? pauseSchema;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const problem = clientFrameProblem(data, isBinary, schema);
      if (typeof problem === 'string') {
        metrics.protocolErrors.inc({ code: 'microscope' });
        labLogger.info({ problem }, 'microscope: a bad client frame; closing');
        connection.close(data.length > MICROSCOPE_MAX_CLIENT_FRAME ? 1009 : 1002, 'bad-frame', error('bad-frame', problem));
      } else handler?.(problem);
    });
    ws.on('error', (err: Error & { code?: string }) => labLogger.info({ error: err.code ?? err.message }, 'microscope: WebSocket error'));
    ws.on('close', () => connection.close(1000, 'closed'));
    send(JSON.stringify({ v: MICROSCOPE_VERSION, type: 'hello', view }));
    try {
      running = definition.start({
        labId: lab.id,
        observe: (spec) => lab.sandbox.observe(spec),
        send,
        onClientMessage: (h) => (handler = h),
        fail: (code, message) => connection.close(MicroscopeClose.FAILED, code, error(code, message)),
        log: labLogger,
      });
      // Closed while it started: stop it now, since close() found nothing to stop.
      if (over) running.stop();
    } catch (err) {
      labLogger.error({ err }, 'microscope: the view could not start');
      connection.close(MicroscopeClose.FAILED, 'view', error('view', 'The view could not start; close it and open it again.'));
    }
  }

  /** Closes every connection (the server is stopping). */
  close(): void {
    for (const connection of [...this.connections.values()]) connection.close(1001, 'server shutting down');
    this.wss.close();
  }
}

/** The client frame, checked, or what is wrong with it (a sentence for the client's developer). */
function clientFrameProblem(data: Buffer, isBinary: boolean, schema: NonNullable<ViewDefinition['clientMessage']>): string | (Envelope & Record<string, unknown>) {
  if (isBinary) return 'microscope frames are JSON text frames, not binary';
  if (data.length > MICROSCOPE_MAX_CLIENT_FRAME) return `a client frame may be at most ${MICROSCOPE_MAX_CLIENT_FRAME} bytes`;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return 'a frame must be a JSON object such as {"v":1,"type":"pause","paused":true}';
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return `a frame is {"v":${MICROSCOPE_VERSION},"type":"...", ...}: ${envelope.error.issues[0]!.path.join('.') || 'the frame'} ${envelope.error.issues[0]!.message}`;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `this view does not take ${JSON.stringify(envelope.data.type)} frames like that: ${issue.path.join('.') || 'the frame'} ${issue.message}`;
  }
  return parsed.data;
}
