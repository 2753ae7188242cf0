/**
 * /my/learner.json?exercise=<id>, for the exercise pages' script: is this browser in a class, where
 * the exercise is assigned (due when, and the learner's state), and whether an instructor has
 * released its solution. Anonymous: `{ inClass: false }`.
 */
import type { APIRoute } from 'astro';
import type { LearnerStatus } from '../../../wire/lab-api.ts';
import { classroomOf, currentLearner } from '../../classroom/pages.ts';

export const prerender = false;

export const GET: APIRoute = async (ctx) => {
  const classroom = ctx.locals.classroom ? classroomOf(ctx) : null;
  const learner = classroom ? await currentLearner(ctx) : null;
  if (!classroom || !learner) return Response.json({ inClass: false } satisfies LearnerStatus);
  const classes = await classroom.studentView(learner);
  const exercise = ctx.url.searchParams.get('exercise') ?? '';
  const assigned = classes.flatMap(({ classRoom, assignments }) =>
    assignments.filter(({ assignment }) => assignment.exerciseIds.includes(exercise)).map(({ assignment, row }) => ({ className: classRoom.name, title: assignment.title, dueAt: new Date(row.dueAt).toISOString(), state: row.cells.find((c) => c.exerciseId === exercise)?.state })),
  );
  return Response.json({
    inClass: classes.length > 0,
    classes: classes.map((c) => c.classRoom.name),
    assigned,
    solutionReleased: exercise ? await classroom.solutionReleased(learner.id, exercise) : false,
  } satisfies LearnerStatus);
};
