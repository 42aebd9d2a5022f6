-- Postgres twin of migrations/0003_checkouts.sql. Postgres alters columns and
-- constraints in place, so quotes is not rebuilt; the resulting columns are the same.

CREATE TABLE checkouts (
    checkout_id         TEXT PRIMARY KEY,
    partner_reference   TEXT UNIQUE,
    partner_user_id     TEXT,
    pool_id             TEXT,
    side                TEXT,
    amount              TEXT,
    currency            TEXT,
    amount_min          TEXT,
    amount_max          TEXT,
    network             TEXT,
    destination_address TEXT,
    -- 1 for a demo-mode anonymous checkout.
    anonymous           BIGINT NOT NULL DEFAULT 0,
    accept_quote_id     TEXT,
    trade_id            TEXT,
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL
);

INSERT INTO checkouts (checkout_id, partner_user_id, anonymous, created_at, expires_at)
    SELECT 'chk_' || session_id, partner_user_id, 1, created_at, expires_at FROM sessions;
ALTER TABLE sessions ADD COLUMN checkout_id TEXT REFERENCES checkouts(checkout_id);
UPDATE sessions SET checkout_id = 'chk_' || session_id;
CREATE INDEX sessions_checkout ON sessions(checkout_id);

ALTER TABLE quotes ADD COLUMN checkout_id TEXT;
UPDATE quotes SET checkout_id = 'chk_' || session_id;
ALTER TABLE quotes ALTER COLUMN checkout_id SET NOT NULL;
ALTER TABLE quotes DROP CONSTRAINT quotes_status_check;
ALTER TABLE quotes ADD CONSTRAINT quotes_status_check
    CHECK (status IN ('active', 'accepting', 'accepted', 'expired', 'rejected', 'unavailable', 'accept_failed'));
ALTER TABLE quotes ADD COLUMN accept_failure TEXT;
CREATE INDEX quotes_checkout ON quotes(checkout_id);

ALTER TABLE trades ADD COLUMN checkout_id TEXT;
UPDATE trades SET checkout_id = 'chk_' || session_id;
CREATE INDEX trades_checkout ON trades(checkout_id);
ALTER TABLE trades ADD COLUMN terms_mismatch TEXT;

UPDATE checkouts SET trade_id = (SELECT trade_id FROM trades WHERE trades.checkout_id = checkouts.checkout_id ORDER BY created_at LIMIT 1),
                     accept_quote_id = COALESCE(
                         (SELECT quote_id FROM trades WHERE trades.checkout_id = checkouts.checkout_id ORDER BY created_at LIMIT 1),
                         (SELECT quote_id FROM quotes WHERE quotes.checkout_id = checkouts.checkout_id AND status = 'accepting' ORDER BY accepted_at LIMIT 1));

CREATE TABLE partner_events (
    event_id      TEXT PRIMARY KEY,
    checkout_id   TEXT NOT NULL,
    trade_id      TEXT NOT NULL,
    status        TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at  TEXT,
    last_error    TEXT,
    UNIQUE (trade_id, status)
);
CREATE INDEX partner_events_due ON partner_events(delivered_at, next_attempt_at);

CREATE TABLE alerts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    message     TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    UNIQUE (kind, subject)
);
