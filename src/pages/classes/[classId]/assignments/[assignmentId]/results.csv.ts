/**
 * The dashboard as CSV, one line per student and exercise: now, or (?view=deadline) the snapshot
 * kept at the deadline.
 */
import type { APIRoute } from 'astro';
import { isClassroomError } from '../../../../../../server/classroom/classroom.ts';
import { gridToCsv } from '../../../../../../server/classroom/grid.ts';
import { classroomOf, idParam } from '../../../../../classroom/pages.ts';
import { formatTime } from '../../../../../../server/classroom/time.ts';

export const prerender = false;

export const GET: APIRoute = async (ctx) => {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(`/account/signin/?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`, 303);
  const classroom = classroomOf(ctx);
  try {
    const { classRoom, assignment } = await classroom.ownedAssignment(user, idParam(ctx.params.classId), idParam(ctx.params.assignmentId));
    const atDeadline = ctx.url.searchParams.get('view') === 'deadline';
    const grid = atDeadline ? (await classroom.snapshot(assignment))?.grid : await classroom.grid(assignment);
    if (!grid) return new Response('No snapshot yet: it is kept once the deadline (and every extension) has passed.', { status: 404 });
    const slug = `${classRoom.name}-${assignment.title}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'results';
    return new Response(gridToCsv(grid, (ms) => formatTime(ms, classroom.timeZone)), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${slug}${atDeadline ? '-deadline' : ''}.csv"`,
      },
    });
  } catch (err) {
    if (isClassroomError(err)) return new Response(err.message, { status: err.status });
    throw err;
  }
};
