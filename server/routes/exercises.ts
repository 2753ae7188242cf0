/**
 * The HTTP routes of exercises in a lab (docs/protocol.md, "Exercises"), on top of the check
 * service (../labs/checks.ts):
 *
 *   POST /api/labs/:labId/exercises/:id/start            {"lang":"c"}   starter -> ~/exercises/<id>/<lang>/
 *   POST /api/labs/:labId/exercises/:id/check            {"lang":"c"}   run the checker, JSON report
 *   GET  /api/labs/:labId/exercises/:id/solution/:lang                  403 until a passing check
 *
 * For a learner in a class, starts and checks are recorded in the classroom (the check's answer
 * says `saved: true` once it is durable) and a solution the instructor released is unlocked. Such a
 * learner may start and check only so often (STARTS_PER_MINUTE, CHECKS_PER_MINUTE): past that, 429
 * `rate-limited` with Retry-After, before the lab runs anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../wire/api-error.ts';
import type { CheckAnswer } from '../../wire/lab-api.ts';
import { checkExercise, solution, startExercise } from '../labs/checks.ts';
import { ExerciseError } from '../labs/exercise-catalog.ts';
import type { LabManager } from '../labs/manager.ts';
import { bearer, json, labEnded, noLab, noRoute, notAllowed, sendError } from '../http.ts';
import { labLog } from '../log.ts';
import { isClassroomError, type Classroom } from '../classroom/classroom.ts';
import { readCookies } from '../classroom/cookies.ts';
import type { Learner } from '../classroom/store/types.ts';

const ROUTE = /^\/api\/labs\/([^/]+)\/exercises\/([^/]+)\/(start|check|solution)(?:\/([^/]+))?$/;

/** The classroom learner making the request (device cookie or signed-in account), or null when anonymous. */
async function learnerOf(req: IncomingMessage, classroom: Classroom): Promise<Learner | null> {
  const cookies = readCookies(req.headers.cookie);
  const signedIn = await classroom.session(cookies.session);
  return classroom.learner({ deviceToken: cookies.learner, userId: signedIn?.user.id });
}

/** Answers the request when it is an exercise route (returns true), else leaves it alone. */
export async function handleExerciseRoute(req: IncomingMessage, res: ServerResponse, labs: LabManager, classroom: Classroom): Promise<boolean> {
  const raw = (req.url ?? '/').split('?')[0]!;
  const match = ROUTE.exec(raw);
  if (!match) return false;
  const [, labId = '', rawId = '', action, rawLang] = match;
  const lab = labs.authorize(labId, bearer(req));
  if (!lab) {
    req.resume();
    sendError(res, noLab());
    return true;
  }
  const method = req.method ?? 'GET';
  try {
    const id = decodeURIComponent(rawId);
    if (action === 'solution') {
      req.resume();
      if (method !== 'GET') {
        notAllowed(req, res, 'GET', 'a solution');
        return true;
      }
      if (rawLang === undefined) throw new ExerciseError(400, 'bad-lang', 'Say which language: .../solution/<lang>.');
      const learner = await learnerOf(req, classroom);
      const released = learner !== null && (await classroom.solutionReleased(learner.id, id));
      json(res, 200, solution(lab, id, decodeURIComponent(rawLang), released));
      return true;
    }
    if (rawLang !== undefined) {
      req.resume();
      sendError(res, noRoute(method, raw));
      return true;
    }
    if (method !== 'POST') {
      notAllowed(req, res, 'POST', action === 'start' ? 'starting an exercise' : 'a check');
      return true;
    }
    const body = await readJson(req);
    labs.touch(lab); // the learner at work, as typing is
    const learner = await learnerOf(req, classroom);
    if (learner) classroom.allowWork(learner.id, action === 'start' ? 'start' : 'check');
    if (action === 'start') {
      const started = await startExercise(lab, id, body.lang);
      if (learner) await classroom.recordStart(learner.id, id, String(body.lang));
      json(res, 200, started);
    } else {
      const report = await checkExercise(lab, id, body.lang);
      if (learner) {
        // Recorded before the answer: a check the learner was told is saved survives a crash.
        const submission = await classroom.recordCheck({ learnerId: learner.id, exerciseId: id, lang: report.lang, passed: report.passed, total: report.total, checks: report.checks });
        const unlocked = report.unlocked || (await classroom.solutionReleased(learner.id, id));
        json(res, 200, { ...report, unlocked, saved: true, submissionId: submission.id } satisfies CheckAnswer);
      } else {
        json(res, 200, { ...report, saved: false } satisfies CheckAnswer);
      }
    }
  } catch (err) {
    if (res.headersSent) res.destroy();
    else if (err instanceof ExerciseError) sendError(res, err);
    else if (isClassroomError(err)) {
      if (err.retryAfterMs > 0) res.setHeader('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      sendError(res, err);
    } else if (err instanceof URIError) sendError(res, new ApiError(400, 'bad-request', 'The URL is not valid percent-encoding.'));
    else if (lab.ended) sendError(res, labEnded());
    else {
      labLog(lab.id).error({ err, method, path: raw }, 'exercise request failed');
      sendError(res, new ApiError(500, 'check', 'The lab could not do that just now. Try again; if it keeps failing, end the lab (End lab) and start a new one.'));
    }
  }
  return true;
}

/** A small JSON object body ({"lang": ...}); 400 `bad-request` for anything else. */
function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4096) chunks.push(chunk);
    });
    req.once('error', reject);
    req.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (size > 4096) return reject(new ExerciseError(413, 'too-large', 'The body is a small JSON object such as {"lang":"c"}.'));
      try {
        const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new ExerciseError(400, 'bad-request', `The body must be a JSON object such as {"lang":"c"}; got ${JSON.stringify(text.slice(0, 60))}.`));
      }
    });
  });
}
