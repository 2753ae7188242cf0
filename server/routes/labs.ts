/**
 * The HTTP routes of labs themselves (docs/protocol.md):
 *
 *   POST   /api/labs                   start a lab (if LAB_ACCESS lets this browser): its id, token, expiry and limits
 *   GET    /api/labs                   the labs this browser started (its owner cookie, lab-owner.ts), without tokens
 *   GET    /api/labs/:labId            is it still there (Bearer token)
 *   DELETE /api/labs/:labId            end it (Bearer token, or the owner cookie of the browser that started it)
 *   POST   /api/labs/:labId/keep       "Keep the lab": counts as activity for the idle timeout
 *   POST   /api/labs/:labId/terminals/:termId/ticket
 *                                      a one-time ticket for that terminal's WebSocket URL
 *   POST   /api/labs/:labId/microscope/:view/ticket
 *                                      a one-time ticket for that microscope view's WebSocket URL
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { ApiError } from '../../wire/api-error.ts';
import { labStartSchema, type LabStart, type LabStatus, type LabTicket, type OwnLabs, type TerminalTicket } from '../../wire/lab-api.ts';
import { TERM_ID_PATTERN } from '../../wire/protocol.ts';
import { MICROSCOPE_VIEWS } from '../../wire/microscope.ts';
import { microscopeTicketName } from '../microscope/channel.ts';
import { clientAddress, clientKey } from '../client-address.ts';
import { bearer, json, noLab, sendError } from '../http.ts';
import { ensureLabOwner, labOwner } from '../labs/lab-owner.ts';
import { LabError, type LabManager } from '../labs/manager.ts';
import { log } from '../log.ts';
import type { Classroom } from '../classroom/classroom.ts';
import { admitLabStart, type LabAccess } from '../classroom/lab-access.ts';
import { labClientKey, type CountedClient } from '../classroom/lab-client.ts';

const LAB = /^\/api\/labs\/([^/]+)(?:\/(keep)|\/(terminals|microscope)\/([^/]+)\/(ticket))?$/;

export interface LabRouteContext {
  /** Whose X-Forwarded-For is believed (client-address.ts). */
  proxies: BlockList;
  labs: LabManager;
  /** Who may start a lab (LAB_ACCESS), and the classroom that knows who they are. */
  access: LabAccess;
  classroom: Classroom;
  /** Why live labs are off (no sandbox driver), or null. */
  driverError: string | null;
  /** Cookies are Secure (PUBLIC_URL is https). */
  secureCookies: boolean;
  /** MAX_LABS_PER_CLIENT. */
  perClient: number;
}

/** Answers the request when it is one of the routes above (returns true), else leaves it alone. */
export async function handleLabRoute(req: IncomingMessage, res: ServerResponse, context: LabRouteContext): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/api/labs' && req.method === 'POST') {
    await startLab(req, res, context);
    return true;
  }
  if (path === '/api/labs' && req.method === 'GET') {
    req.resume();
    const labs = context.labs.ownedBy(labOwner(req) ?? '').map((lab) => ({
      labId: lab.id,
      startedAt: new Date(lab.createdAt).toISOString(),
      expiresAt: new Date(lab.expiresAt).toISOString(),
      page: lab.client.page,
    }));
    json(res, 200, { labs } satisfies OwnLabs);
    return true;
  }
  const match = LAB.exec(path);
  const route = match && `${req.method} ${match[2] ?? match[5] ?? ''}`;
  if (!match || !(route === 'GET ' || route === 'DELETE ' || route === 'POST keep' || route === 'POST ticket')) return false;
  req.resume(); // none of these reads a body
  // The browser that started a lab may end it without its token (it lost it: a closed tab).
  const lab = context.labs.authorize(match[1]!, bearer(req)) ?? (route === 'DELETE ' ? context.labs.owned(match[1]!, labOwner(req)) : null);
  if (!lab) sendError(res, noLab());
  else if (route === 'GET ') {
    // Lets a browser whose WebSocket keeps failing tell "the lab is gone" from "the network is down".
    json(res, 200, { labId: lab.id, expiresAt: new Date(lab.expiresAt).toISOString(), terminals: [...lab.terminals.keys()] } satisfies LabStatus);
  } else if (route === 'DELETE ') {
    await context.labs.end(lab, 'killed');
    res.writeHead(204).end();
  } else if (route === 'POST keep') {
    context.labs.touch(lab);
    res.writeHead(204).end();
  } else if (match[3] === 'microscope') {
    const view = match[4]!;
    if (!(MICROSCOPE_VIEWS as readonly string[]).includes(view)) sendError(res, new ApiError(404, 'view', `There is no microscope view "${view.slice(0, 40)}"; the views are ${MICROSCOPE_VIEWS.map((v) => `"${v}"`).join(' and ')}.`));
    else {
      const { ticket, expiresAt } = context.labs.tickets.issue(lab.id, microscopeTicketName(view));
      json(res, 201, { ticket, expiresAt: new Date(expiresAt).toISOString() } satisfies TerminalTicket);
    }
  } else {
    const termId = match[4]!;
    if (!TERM_ID_PATTERN.test(termId)) sendError(res, new ApiError(400, 'term-id', 'A terminal name is 1 to 32 characters of a-z, 0-9 and "-".'));
    else {
      const { ticket, expiresAt } = context.labs.tickets.issue(lab.id, termId);
      json(res, 201, { ticket, expiresAt: new Date(expiresAt).toISOString() } satisfies TerminalTicket);
    }
  }
  return true;
}

async function startLab(req: IncomingMessage, res: ServerResponse, { proxies, labs, driverError, access, classroom, secureCookies, perClient }: LabRouteContext): Promise<void> {
  let counted: CountedClient;
  let body: LabStart;
  try {
    body = await readStartBody(req);
    await admitLabStart(access, req, classroom);
    counted = await labClientKey(req, clientKey(clientAddress(req, proxies)), classroom, perClient);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err; // the classroom database failed: a 500, logged
    sendError(res, err);
    return;
  }
  const owner = ensureLabOwner(req, (cookie) => res.setHeader('Set-Cookie', cookie), secureCookies);
  try {
    const { lab, token } = await labs.create({ ...counted, owner, page: body.page ?? null });
    json(res, 201, { labId: lab.id, token, expiresAt: new Date(lab.expiresAt).toISOString(), limits: labs.limits } satisfies LabTicket);
  } catch (err) {
    // Why is in the server's log (main.ts logs it at start): it speaks to the operator, not the learner.
    if (driverError) sendError(res, new ApiError(503, 'no-sandbox', 'Live labs are off on this server for now; the lessons and their examples still work. Its operator can turn them on.'));
    else if (err instanceof LabError) sendError(res, err);
    else {
      log.error({ err }, 'lab start failed');
      sendError(res, new ApiError(503, 'sandbox', 'The sandbox could not start; try again.'));
    }
  }
}

/** The optional JSON body of POST /api/labs (labStartSchema): at most 1 KiB; 400 `bad-request` for anything else. */
async function readStartBody(req: IncomingMessage): Promise<LabStart> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit: leaving the loop early would destroy the connection before the answer.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= 1024) chunks.push(chunk);
  }
  if (size > 1024) throw new ApiError(413, 'too-large', 'The body of POST /api/labs is a small JSON object such as {"page":"/tcp/"}.');
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown = {};
  try {
    if (text.trim() !== '') value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'bad-request', `The body of POST /api/labs must be JSON, such as {"page":"/tcp/"}; got ${JSON.stringify(text.slice(0, 60))}.`);
  }
  const parsed = labStartSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(400, 'bad-request', `The body of POST /api/labs: ${issue.path.join('.') || 'the body'} ${issue.message}. Send a JSON object such as {"page":"/tcp/"}, or nothing.`);
  }
  return parsed.data;
}
