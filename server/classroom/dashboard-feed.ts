/**
 * The live dashboards' feed, shared by every open dashboard of an assignment. A student's start,
 * check or join marks their row as changed; at most once per `intervalMs` per assignment the grid
 * is computed once and the changed rows go to every dashboard open on it. A quiet assignment's
 * first change goes out at once; changes that follow within the interval go out together at its
 * end. So one student checking as fast as the server lets them costs one grid per interval, not
 * one per check and per open dashboard (bench/dashboard.ts measures both).
 *
 * `intervalMs` 0 pushes every change as it happens (what the dashboards did before).
 */
import type { EventEmitter } from 'node:events';
import type { Grid, Row } from './grid.ts';
import type { Assignment, Id, Member, Store } from './store/types.ts';

/** Emitted on the classroom's `events` when a learner's work changes, and when a student joins a class. */
export interface WorkEvent {
  learnerId: Id;
  exerciseId: string;
}
export interface JoinEvent {
  classId: Id;
  member: Member;
}

export type RowsListener = (rows: Row[]) => void;

interface Feed {
  assignment: Assignment;
  /** The learners of the class, so other classes' work is ignored; null until read. */
  learners: Set<Id> | null;
  changed: Set<Id>;
  listeners: Set<RowsListener>;
  timer: NodeJS.Timeout | null;
  pushedAt: number;
}

export interface DashboardFeedOptions {
  events: EventEmitter;
  store: Pick<Store, 'assignmentById' | 'membersOf'>;
  grid: (assignment: Assignment) => Promise<Grid>;
  intervalMs: number;
  onError: (err: unknown) => void;
  now?: () => number;
}

export class DashboardFeed {
  private readonly feeds = new Map<Id, Feed>();
  private readonly options: DashboardFeedOptions;
  private readonly now: () => number;

  constructor(options: DashboardFeedOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    options.events.on('work', (event: WorkEvent) => {
      for (const feed of this.feeds.values()) {
        if (feed.assignment.exerciseIds.includes(event.exerciseId) && feed.learners?.has(event.learnerId)) this.changed(feed, event.learnerId);
      }
    });
    options.events.on('join', (event: JoinEvent) => {
      for (const feed of this.feeds.values()) {
        if (feed.assignment.classId !== event.classId) continue;
        feed.learners?.add(event.member.learnerId);
        this.changed(feed, event.member.learnerId);
      }
    });
  }

  /** Calls `listener` with the changed rows of `assignment`'s grid; returns the unsubscribe. */
  subscribe(assignment: Assignment, listener: RowsListener): () => void {
    let feed = this.feeds.get(assignment.id);
    if (!feed) {
      const made: Feed = { assignment, learners: null, changed: new Set(), listeners: new Set(), timer: null, pushedAt: 0 };
      this.feeds.set(assignment.id, made);
      this.options.store.membersOf(assignment.classId).then(
        (members) => (made.learners = new Set([...(made.learners ?? []), ...members.map((m) => m.learnerId)])),
        this.options.onError,
      );
      feed = made;
    }
    const subscribed = feed;
    subscribed.listeners.add(listener);
    return () => {
      subscribed.listeners.delete(listener);
      if (subscribed.listeners.size > 0 || this.feeds.get(assignment.id) !== subscribed) return;
      if (subscribed.timer) clearTimeout(subscribed.timer);
      this.feeds.delete(assignment.id);
    };
  }

  private changed(feed: Feed, learnerId: Id): void {
    feed.changed.add(learnerId);
    if (this.options.intervalMs === 0) return void this.push(feed);
    if (feed.timer) return;
    const wait = Math.max(0, feed.pushedAt + this.options.intervalMs - this.now());
    feed.timer = setTimeout(() => void this.push(feed), wait);
  }

  private async push(feed: Feed): Promise<void> {
    feed.timer = null;
    feed.pushedAt = this.now();
    const learners = feed.changed;
    feed.changed = new Set();
    try {
      // Read again: the instructor may have changed the assignment's exercises meanwhile.
      feed.assignment = (await this.options.store.assignmentById(feed.assignment.id)) ?? feed.assignment;
      const rows = (await this.options.grid(feed.assignment)).rows.filter((row) => learners.has(row.learnerId));
      if (rows.length > 0) for (const listener of feed.listeners) listener(rows);
    } catch (err) {
      this.options.onError(err);
    }
  }

  close(): void {
    for (const feed of this.feeds.values()) if (feed.timer) clearTimeout(feed.timer);
    this.feeds.clear();
  }
}
