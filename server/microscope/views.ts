/**
 * The microscope's views, by name. A view registers `start`, which the channel (./channel.ts) calls
 * when a browser opens that view of a lab, and whose `stop` it calls when the connection closes,
 * is replaced, or the lab ends: nothing is collected while no view is open.
 */
import { z, type ZodType } from 'zod';
import type { Observer, ObserverSpec } from '../../sandbox/drivers/types.ts';
import { MICROSCOPE_VERSION, type Envelope } from '../../wire/microscope.ts';
import type { Log } from '../log.ts';

export interface ViewContext {
  labId: string;
  /** Starts an observer of the lab (sandbox/drivers/types.ts): the only way a view reads the lab. */
  observe(spec: ObserverSpec): Promise<Observer>;
  /**
   * Sends a JSON text frame; false when the connection is over its buffer budget (the browser is
   * not keeping up) and the frame was dropped: the view drops or summarises, it never queues.
   */
  send(frame: string): boolean;
  /** `handler` gets every client frame that passed the view's schema (pause, filters, ...). */
  onClientMessage(handler: (message: Envelope & Record<string, unknown>) => void): void;
  /** Ends the view with an `error` frame saying what failed (the connection closes). */
  fail(code: string, message: string): void;
  log: Log;
}

export interface RunningView {
  stop(): void;
}

export interface ViewDefinition {
  start: (ctx: ViewContext) => RunningView;
  /** What a client may send this view; the envelope ({v, type}) is checked before. */
  clientMessage?: ZodType<Envelope & Record<string, unknown>>;
}

/** What a view takes unless it says otherwise: pause and go on (wire/microscope.ts, PauseFrame). */
export const pauseSchema = z.object({ v: z.literal(MICROSCOPE_VERSION), type: z.literal('pause'), paused: z.boolean() }).strict();

const views = new Map<string, ViewDefinition>();

export function registerView(name: string, start: ViewDefinition['start'], clientMessage?: ViewDefinition['clientMessage']): void {
  if (views.has(name)) throw new Error(`the microscope view "${name}" is registered twice`);
  views.set(name, { start, clientMessage });
}

export function viewNamed(name: string): ViewDefinition | undefined {
  return views.get(name);
}
