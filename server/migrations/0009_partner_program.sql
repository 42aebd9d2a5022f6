-- The partner program: incidents (an alert as a person handles it), the signals the
-- launch readiness record is derived from, and the index that finds a user's orders
-- for the first-order cap.

-- One row per alert occurrence: opened when an active alert first holds (or a
-- recorded alert is raised), seen again while it holds, acknowledged and resolved
-- by a person with a note. At most one unresolved incident per kind and subject.
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    severity        TEXT NOT NULL,
    message         TEXT NOT NULL,
    -- 1 while the condition holds (a recorded alert's never does: 0).
    live            INTEGER NOT NULL DEFAULT 0,
    opened_at       TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    resolved_at     TEXT,
    resolved_by     TEXT,
    note            TEXT
);
CREATE UNIQUE INDEX incidents_unresolved ON incidents(kind, subject) WHERE resolved_at IS NULL;
CREATE INDEX incidents_opened ON incidents(opened_at);

CREATE TRIGGER incidents_severity_word_insert BEFORE INSERT ON incidents WHEN NEW.severity NOT IN ('warning', 'critical')
BEGIN SELECT RAISE(ABORT, 'incidents_severity_word: not a word of this column'); END;
CREATE TRIGGER incidents_severity_word_update BEFORE UPDATE OF severity ON incidents WHEN NEW.severity NOT IN ('warning', 'critical')
BEGIN SELECT RAISE(ABORT, 'incidents_severity_word: not a word of this column'); END;

-- The last time something happened that readiness is judged by (a metrics scrape,
-- the alerts read by the partner's backend, the runbook checked), by name.
CREATE TABLE program_signals (
    name    TEXT PRIMARY KEY,
    at      TEXT NOT NULL,
    detail  TEXT
);

CREATE INDEX checkouts_partner_user ON checkouts(partner_user_id);
