/**
 * The dashboard's live feed (server-sent events): a `row` event with the student's whole row each
 * time one of them joins, starts or checks an exercise of this assignment. A comment every 25 s
 * keeps proxies from closing an idle stream.
 */
import type { APIRoute } from 'astro';
import { isClassroomError, type JoinEvent, type WorkEvent } from '../../../../../../server/classroom/classroom.ts';
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
  const { classRoom } = found;
  const base = `/classes/${classRoom.id}/assignments/${found.assignment.id}/`;
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
      const learners = new Set<number>();
      void classroom.store.membersOf(classRoom.id).then((members) => members.forEach((m) => learners.add(m.learnerId)));
      // Rows are recomputed from the store, so what arrives is what a reload would show.
      const sendRow = async (learnerId: number) => {
        const assignment = (await classroom.store.assignmentById(found.assignment.id)) ?? found.assignment;
        const row = (await classroom.grid(assignment)).rows.find((r) => r.learnerId === learnerId);
        if (row) send(`event: row\ndata: ${JSON.stringify(rowView(row, base, classroom.timeZone))}\n\n`);
      };
      const onWork = (event: WorkEvent) => {
        if (learners.has(event.learnerId) && found.assignment.exerciseIds.includes(event.exerciseId)) void sendRow(event.learnerId).catch(() => {});
      };
      const onJoin = (event: JoinEvent) => {
        if (event.classId !== classRoom.id) return;
        learners.add(event.member.learnerId);
        void sendRow(event.member.learnerId).catch(() => {});
      };
      classroom.events.on('work', onWork);
      classroom.events.on('join', onJoin);
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), 25_000);
      cleanup = () => {
        clearInterval(keepAlive);
        classroom.events.off('work', onWork);
        classroom.events.off('join', onJoin);
      };
      send('retry: 3000\n: connected\n\n');
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' } });
};
