/**
 * The classroom database's schema, as an ordered list of migrations. ./sqlite.ts runs the ones a
 * file has not seen yet, each in its own transaction, and records the last one in
 * `PRAGMA user_version`. A released migration is never edited: a change to the schema is a new
 * migration appended at the end.
 *
 * Times are INTEGER milliseconds since the epoch; secrets are stored only as SHA-256 hashes.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'classroom tables',
    sql: `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  -- The store lower-cases on create and lookup; the CHECK keeps any other writer honest.
  email         TEXT    NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
  name          TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE password_resets (
  token_hash TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
) STRICT;
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- A device (token_hash) or an account (user_id, at most one learner per user), or both.
CREATE TABLE learners (
  id         INTEGER PRIMARY KEY,
  token_hash TEXT    UNIQUE,
  user_id    INTEGER UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  CHECK (token_hash IS NOT NULL OR user_id IS NOT NULL)
) STRICT;

CREATE TABLE classes (
  id         INTEGER PRIMARY KEY,
  owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  join_code  TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX classes_by_owner ON classes (owner_id);

CREATE TABLE members (
  id           INTEGER PRIMARY KEY,
  class_id     INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  learner_id   INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  display_name TEXT    NOT NULL,
  joined_at    INTEGER NOT NULL,
  UNIQUE (class_id, learner_id)
) STRICT;
CREATE INDEX members_by_learner ON members (learner_id);

CREATE TABLE assignments (
  id         INTEGER PRIMARY KEY,
  class_id   INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  title      TEXT    NOT NULL,
  opens_at   INTEGER NOT NULL,
  due_at     INTEGER NOT NULL,
  late_policy TEXT   NOT NULL CHECK (late_policy IN ('closed', 'marked-late')),
  solutions  TEXT    NOT NULL CHECK (solutions IN ('after-pass', 'after-due', 'always')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX assignments_by_class ON assignments (class_id);
-- The deadline sweep (assignments due without a snapshot) reads by due date.
CREATE INDEX assignments_by_due ON assignments (due_at);

CREATE TABLE assignment_exercises (
  assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL CHECK (position >= 0),
  exercise_id   TEXT    NOT NULL,
  PRIMARY KEY (assignment_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE extensions (
  assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
  member_id     INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  due_at        INTEGER NOT NULL,
  PRIMARY KEY (assignment_id, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX extensions_by_member ON extensions (member_id);

CREATE TABLE submissions (
  id          INTEGER PRIMARY KEY,
  learner_id  INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  exercise_id TEXT    NOT NULL,
  lang        TEXT    NOT NULL,
  passed      INTEGER NOT NULL CHECK (passed >= 0),
  total       INTEGER NOT NULL CHECK (total >= 0 AND passed <= total),
  -- The check report's lines (CheckLine[]), as JSON: only ever read back whole.
  checks      TEXT    NOT NULL CHECK (json_valid(checks)),
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX submissions_by_learner_exercise ON submissions (learner_id, exercise_id, created_at);

CREATE TABLE starts (
  id          INTEGER PRIMARY KEY,
  learner_id  INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  exercise_id TEXT    NOT NULL,
  lang        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX starts_by_learner_exercise ON starts (learner_id, exercise_id);

CREATE TABLE snapshots (
  assignment_id INTEGER PRIMARY KEY REFERENCES assignments (id) ON DELETE CASCADE,
  taken_at      INTEGER NOT NULL,
  data          TEXT    NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    name: 'cut check reports, blocked students',
    sql: `
-- NULL: the check lines are as the checker sent them; else their size in bytes before they were cut.
ALTER TABLE submissions ADD COLUMN cut_from INTEGER CHECK (cut_from IS NULL OR cut_from > 0);

CREATE TABLE blocks (
  class_id     INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  learner_id   INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  display_name TEXT    NOT NULL,
  blocked_at   INTEGER NOT NULL,
  PRIMARY KEY (class_id, learner_id)
) STRICT, WITHOUT ROWID;
`,
  },
];
