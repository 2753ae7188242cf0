/**
 * The HTTP routes of the lab file API (docs/protocol.md, "Files"), on top of files.ts:
 *
 *   GET  /api/labs/:labId/files?dir=examples/tcp/c   list (JSON)
 *   GET  /api/labs/:labId/files/<path>               read (raw bytes)
 *   PUT  /api/labs/:labId/files/<path>               write (raw bytes in the body)
 *   POST /api/labs/:labId/reset/<path>               put the course's original back
 *   GET  /api/labs/:labId/archive                    the learner's files as .tar.gz
 *
 * Matched on the raw request path, not a parsed URL: URL parsing would quietly resolve ".." (and
 * "%2e%2e") away, and such a path must reach the path check and be refused for what it is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { archiveHome, FILE_LIMITS, FileError, listFiles, readFile, resetFile, tooLargeToWrite, writeFile } from '../labs/files.ts';
import type { Lab, LabManager } from '../labs/manager.ts';
import { ApiError } from '../../wire/api-error.ts';
import { bearer, json, labEnded, noLab, noRoute, notAllowed, sendError } from '../http.ts';
import { labLog } from '../log.ts';

const ROUTE = /^\/api\/labs\/([^/]+)\/(files|reset|archive)(?:\/(.*))?$/;

/**
 * Archives on their way now. An archive is held whole in memory (up to FILE_LIMITS.archiveBytes)
 * until the client has read it, so one at a time per lab (otherwise one client could make the
 * server hold any number of them by asking and never reading), and at most `max` on the whole
 * server (otherwise many labs could, together).
 */
export class ArchiveSlots {
  readonly max: number;
  private readonly labs = new Set<Lab>();

  constructor(max: number) {
    this.max = max;
  }

  /** Takes the lab's slot until `res` closes (sent, failed or abandoned), or says why it cannot. */
  take(lab: Lab, res: ServerResponse): void {
    if (this.labs.has(lab)) throw new FileError(409, 'busy', 'An archive of this lab is on its way already; wait until that download has finished, then try again.');
    if (this.labs.size >= this.max) throw new FileError(503, 'archives-busy', `The server is making ${this.max} archives for other learners right now; try again in a few seconds.`);
    this.labs.add(lab);
    res.once('close', () => this.labs.delete(lab));
  }
}

/** Answers the request when it is a file route (returns true), else leaves it alone. */
export async function handleFileRoute(req: IncomingMessage, res: ServerResponse, labs: LabManager, archives: ArchiveSlots): Promise<boolean> {
  const raw = req.url ?? '/';
  const queryAt = raw.indexOf('?');
  const match = ROUTE.exec(queryAt < 0 ? raw : raw.slice(0, queryAt));
  if (!match) return false;
  const [, labId = '', route, rawPath] = match;
  const query = new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1));
  // First the token, as DELETE does: a wrong one learns nothing, not even whether a path is valid.
  const lab = labs.authorize(labId, bearer(req));
  if (!lab) {
    req.resume();
    sendError(res, noLab());
    return true;
  }
  try {
    const path = rawPath === undefined ? undefined : decodePath(rawPath);
    await answer(req, res, labs, archives, lab, route as 'files' | 'reset' | 'archive', path, query);
  } catch (err) {
    if (res.headersSent) res.destroy();
    else if (err instanceof FileError) sendError(res, err);
    else if (lab.ended) sendError(res, labEnded());
    else {
      labLog(lab.id).error({ err, method: req.method, path: raw }, 'file request failed');
      sendError(res, new ApiError(500, 'files', 'The lab could not do that just now. Try again; if it keeps failing, end the lab (End lab) and start a new one.'));
    }
  }
  return true;
}

async function answer(req: IncomingMessage, res: ServerResponse, labs: LabManager, archives: ArchiveSlots, lab: Lab, route: 'files' | 'reset' | 'archive', path: string | undefined, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  if (route === 'files' && !path) {
    if (method !== 'GET') return notAllowed(req, res, 'GET', 'a folder listing');
    json(res, 200, await listFiles(lab.sandbox, query.get('dir') ?? undefined));
  } else if (route === 'files' && path) {
    if (method === 'GET') {
      const content = await readFile(lab.sandbox, path);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': content.byteLength, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(content);
    } else if (method === 'PUT') {
      const body = await readBody(req, res, FILE_LIMITS.fileBytes);
      labs.touch(lab); // saving a file is the learner at work, as typing is
      await writeFile(lab.sandbox, path, body);
      res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    } else notAllowed(req, res, 'GET, PUT', 'a file');
  } else if (route === 'reset' && path) {
    if (method !== 'POST') return notAllowed(req, res, 'POST', 'a reset');
    req.resume();
    labs.touch(lab);
    await resetFile(lab.sandbox, path);
    res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
  } else if (route === 'archive' && path === undefined) {
    if (method !== 'GET') return notAllowed(req, res, 'GET', 'the archive');
    archives.take(lab, res);
    const archive = await archiveHome(lab.sandbox);
    res.writeHead(200, {
      'Content-Type': 'application/gzip',
      'Content-Length': archive.byteLength,
      'Content-Disposition': 'attachment; filename="socketlab-files.tar.gz"',
      'Cache-Control': 'no-store',
    });
    res.end(archive);
  } else {
    req.resume();
    sendError(res, noRoute(method, req.url ?? '/'));
  }
}

/** Percent-decodes the path part of the URL ("%2F" included, so it meets the path check too). */
function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FileError(400, 'bad-path', 'The path in the URL is not valid percent-encoding.');
  }
}

/**
 * The request body, refused with 413 as soon as it is known to be larger than `maxBytes`: from its
 * Content-Length before reading anything, or once the bytes read pass the limit (chunked uploads).
 * Nothing past the limit is kept; the connection closes after the answer.
 */
function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) refuse(null);
      else chunks.push(chunk);
    };
    const refuse = (bytes: number | null) => {
      req.removeListener('data', onData);
      chunks.length = 0;
      // What the client still sends is read and dropped until the answer is out and the connection
      // closes; a client that keeps sending after that is cut off.
      res.setHeader('Connection', 'close');
      res.once('finish', () => setTimeout(() => req.destroy(), 5000).unref());
      reject(tooLargeToWrite(bytes));
    };
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxBytes) return refuse(declared);
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
