/**
 * Every classroom form's fields, validated with zod. A bad field comes back as a message per field
 * that the page shows beside it, with what was wrong and what is allowed; nothing is stored.
 */
import { z } from 'zod';
import { LATE_POLICIES, SOLUTION_POLICIES } from '../../server/classroom/store/types.ts';
import { parseLocalDateTime } from '../../server/classroom/time.ts';

/** Field limits, also used as the inputs' maxlength so a browser stops at the same place. */
export const LIMITS = { email: 254, name: 80, password: { min: 10, max: 200 }, className: 100, displayName: 60, title: 120, exercises: 30 } as const;

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} is missing.` })
    .trim()
    .min(1, `${label} is empty; type one.`)
    .max(max, `${label} is too long: at most ${max} characters.`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${label} may not contain control characters.`);

const email = z
  .string({ error: 'Email is missing.' })
  .trim()
  .toLowerCase()
  .max(LIMITS.email, `Email is too long: at most ${LIMITS.email} characters.`)
  .pipe(z.email('Email does not look like an address (name@example.org).'));

const newPassword = z
  .string({ error: 'Password is missing.' })
  .min(LIMITS.password.min, `Password is too short: use at least ${LIMITS.password.min} characters (a few words make a good one).`)
  .max(LIMITS.password.max, `Password is too long: at most ${LIMITS.password.max} characters.`);

/** Only a path on this site (no `//host`), so a sign-in link cannot send anyone elsewhere. */
const nextPath = z
  .string()
  .optional()
  .transform((s) => (s && /^\/(?![/\\])[^\s]*$/.test(s) ? s : undefined));

export const signUpForm = z.object({ email, name: text('Name', LIMITS.name), password: newPassword });
export const signInForm = z.object({
  email,
  password: z.string({ error: 'Password is missing.' }).min(1, 'Password is empty.').max(LIMITS.password.max, 'Password is too long.'),
  next: nextPath,
});
export const forgotForm = z.object({ email });
export const resetForm = z
  .object({ password: newPassword, confirm: z.string({ error: 'Type the password again.' }) })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'The two passwords differ; type the same one twice.' });
export const classForm = z.object({ name: text('Class name', LIMITS.className) });
export const joinForm = z.object({ displayName: text('Your name', LIMITS.displayName) });

/** An <input type="datetime-local"> read in the class's time zone. */
const localTime = (label: string, timeZone: string) =>
  z.string({ error: `${label} is missing.` }).transform((value, ctx) => {
    const ms = parseLocalDateTime(value, timeZone);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a date and time such as 2026-12-01T09:00; got ${JSON.stringify(value.slice(0, 40))}.` });
      return z.NEVER;
    }
    return ms;
  });

export function assignmentForm(knownExercises: readonly string[], timeZone: string) {
  return z
    .object({
      title: text('Title', LIMITS.title),
      exercises: z
        .array(z.string(), { error: 'Choose at least one exercise.' })
        .min(1, 'Choose at least one exercise.')
        .max(LIMITS.exercises, `At most ${LIMITS.exercises} exercises per assignment.`)
        .superRefine((ids, ctx) => {
          const unknown = ids.find((id) => !knownExercises.includes(id));
          if (unknown !== undefined) ctx.addIssue({ code: 'custom', message: `Unknown exercise ${JSON.stringify(unknown.slice(0, 64))}; choose from the list.` });
        })
        .transform((ids) => [...new Set(ids)]),
      opensAt: localTime('Opens', timeZone),
      dueAt: localTime('Due', timeZone),
      latePolicy: z.enum(LATE_POLICIES, { error: `Late work must be one of: ${LATE_POLICIES.join(', ')}.` }),
      solutions: z.enum(SOLUTION_POLICIES, { error: `Solutions must be one of: ${SOLUTION_POLICIES.join(', ')}.` }),
    })
    .refine((a) => a.dueAt > a.opensAt, { path: ['dueAt'], message: 'Due must be after Opens.' });
}

export function extensionForm(timeZone: string) {
  return z.object({
    memberId: z.coerce.number({ error: 'Choose a student.' }).int('Choose a student.').positive('Choose a student.'),
    // Empty: remove the extension.
    dueAt: z.union([z.literal('').transform(() => null), localTime('New due date', timeZone)]),
  });
}

export type FieldErrors = Record<string, string>;
export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** FormData to the schema's output; fields named in `lists` are read with getAll(). */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData, lists: string[] = []): Parsed<z.output<S>> {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    raw[key] = lists.includes(key) ? values : values[0];
  }
  for (const key of lists) raw[key] ??= [];
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return { ok: false, errors };
}
