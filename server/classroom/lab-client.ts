/**
 * Who a lab start counts against for MAX_LABS_PER_CLIENT. By address (an IPv4 address or IPv6 /64,
 * client-address.ts), except for a class's students: a class behind one school address would
 * otherwise share three labs, and the fourth student could start none. A browser whose learner
 * (its device cookie, or the signed-in account's learner) is in a class counts as its own client.
 * Students of one class together hold at most one lab per student (the class's size, and never
 * fewer than one client's cap), so whoever joins a class under many names gains few labs, and the
 * instructor sees every name on the class page.
 */
import type { IncomingMessage } from 'node:http';
import type { Classroom } from './classroom.ts';
import { readCookies } from './cookies.ts';

/** Who a start counts against: LabClient's `key` and `group` (server/labs/manager.ts). */
export interface CountedClient {
  key: string;
  group?: { key: string; cap: number };
}

export async function labClientKey(req: IncomingMessage, addressKey: string, classroom: Classroom, perClient: number): Promise<CountedClient> {
  const cookies = readCookies(req.headers.cookie);
  const signedIn = await classroom.session(cookies.session);
  const learner = await classroom.learner({ deviceToken: cookies.learner, userId: signedIn?.user.id ?? null });
  const [membership] = learner ? await classroom.store.membershipsOf(learner.id) : [];
  if (!learner || !membership) return { key: addressKey };
  const classSize = (await classroom.store.membersOf(membership.classRoom.id)).length;
  return { key: `learner:${learner.id}`, group: { key: `class:${membership.classRoom.id}`, cap: Math.max(classSize, perClient) } };
}
