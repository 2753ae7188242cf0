/**
 * The dashboard's live feed (server-sent events): `row` events with the whole row of each student
 * who joined, started or checked an exercise of this assignment. Rows come from the classroom's
 * shared feed (server/classroom/dashboard-feed.ts), at most once per DASHBOARD_PUSH_MS per
 * assignment, recomputed from the store, so what arrives is what a reload would show. A comment
 * every 25 s keeps proxies from closing an idle stream.
 */
import type { APIRoute } from 'astro';
import { isClassroomError } from '../../../../../../server/classroom/classroom.ts';
import { rowView } from '../../../../../classroom/dashboard.ts';
import { classroomOf, idParam } from '../../../../../classroom/pages.ts';

export const prerender = false;

export const GET: APIRoute = async (ctx) => {
  const user = ctx.locals.user;
  if (!user) return new Response('Sign in first.', { status: 401 });
  const classroom = classroomOf(ctx);
  let found;
  try {
    found = await classroom.ownedAssignment(user, idParam(ctx.params.classId), idParam(ctx.params.assignmentId));
  } catch (err) {
    if (isClassroomError(err)) return new Response(err.message, { status: err.status });
    throw err;
  }
  const { classRoom, assignment } = found;
  const base = `/classes/${classRoom.id}/assignments/${assignment.id}/`;
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup(); // the stream was closed under us
        }
      };
      const unsubscribe = classroom.dashboards.subscribe(assignment, (rows) => {
        send(rows.map((row) => `event: row\ndata: ${JSON.stringify(rowView(row, base, classroom.timeZone))}\n\n`).join(''));
      });
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), 25_000);
      cleanup = () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
      send('retry: 3000\n: connected\n\n');
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' } });
};
