-- Checkouts: what the partner's backend decided is being paid for. Quotes, accepts
-- and trades belong to a checkout (not to one client token), so a renewed token sees
-- them, and a checkout converts at most once.

CREATE TABLE checkouts (
    checkout_id         TEXT PRIMARY KEY,
    -- The partner's order id: unique, so a second checkout for one order is refused
    -- (or, with identical bindings, answered with the first).
    partner_reference   TEXT UNIQUE,
    partner_user_id     TEXT,
    -- Bindings: NULL means the user chooses. Amounts are exact decimal strings.
    pool_id             TEXT,
    side                TEXT,
    amount              TEXT,
    currency            TEXT,
    amount_min          TEXT,
    amount_max          TEXT,
    network             TEXT,
    destination_address TEXT,
    -- 1 for a demo-mode anonymous checkout.
    anonymous           INTEGER NOT NULL DEFAULT 0,
    -- The one quote whose accept began in this checkout (claimed atomically), and
    -- the trade it became.
    accept_quote_id     TEXT,
    trade_id            TEXT,
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL
);

-- Sessions that existed before checkouts each get an unbound checkout of their own.
INSERT INTO checkouts (checkout_id, partner_user_id, anonymous, created_at, expires_at)
    SELECT 'chk_' || session_id, partner_user_id, 1, created_at, expires_at FROM sessions;
ALTER TABLE sessions ADD COLUMN checkout_id TEXT REFERENCES checkouts(checkout_id);
UPDATE sessions SET checkout_id = 'chk_' || session_id;
CREATE INDEX sessions_checkout ON sessions(checkout_id);

-- quotes is rebuilt: its status CHECK gains accept_failed, and it gains checkout_id
-- and the reason a definite accept failure is explained with. Trades reference quotes,
-- so the rows are set aside, the table replaced, and the rows put back (putting the
-- parent rows back settles the deferred foreign-key checks the drop raised).
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE quotes_before_0003 AS SELECT * FROM quotes;
CREATE TABLE quotes_new (
    quote_id            TEXT PRIMARY KEY,
    session_id          TEXT NOT NULL REFERENCES sessions(session_id),
    checkout_id         TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('active', 'accepting', 'accepted', 'expired', 'rejected', 'unavailable', 'accept_failed')),
    request_id          TEXT,
    pool_id             TEXT NOT NULL,
    side                TEXT NOT NULL,
    requested_amount    TEXT NOT NULL,
    requested_currency  TEXT NOT NULL,
    network             TEXT,
    destination_address TEXT,
    partner_reference   TEXT,
    source_asset        TEXT,
    source_amount       TEXT,
    target_asset        TEXT,
    target_amount       TEXT,
    rate                TEXT,
    spread_bps          TEXT,
    fee_bps             TEXT,
    unavailable_reason  TEXT,
    created_at          TEXT NOT NULL,
    expires_at          TEXT,
    accepted_at         TEXT,
    idempotency_key     TEXT UNIQUE,
    recorded_at         TEXT NOT NULL,
    -- Why an accept ended without a trade (e.g. idempotency_conflict), for support.
    accept_failure      TEXT
);
DROP TABLE quotes;
ALTER TABLE quotes_new RENAME TO quotes;
INSERT INTO quotes (quote_id, session_id, checkout_id, status, request_id, pool_id, side, requested_amount,
        requested_currency, network, destination_address, partner_reference, source_asset, source_amount, target_asset,
        target_amount, rate, spread_bps, fee_bps, unavailable_reason, created_at, expires_at, accepted_at,
        idempotency_key, recorded_at)
    SELECT quote_id, session_id, 'chk_' || session_id, status, request_id, pool_id, side, requested_amount,
        requested_currency, network, destination_address, partner_reference, source_asset, source_amount, target_asset,
        target_amount, rate, spread_bps, fee_bps, unavailable_reason, created_at, expires_at, accepted_at,
        idempotency_key, recorded_at
    FROM quotes_before_0003;
DROP TABLE quotes_before_0003;
CREATE INDEX quotes_session ON quotes(session_id);
CREATE INDEX quotes_checkout ON quotes(checkout_id);
CREATE INDEX quotes_status ON quotes(status);

ALTER TABLE trades ADD COLUMN checkout_id TEXT;
UPDATE trades SET checkout_id = 'chk_' || session_id;
CREATE INDEX trades_checkout ON trades(checkout_id);
-- The executed trade compared with the quote's terms: NULL when they agree, else
-- the fields that differ (comma-separated), stored as an exception.
ALTER TABLE trades ADD COLUMN terms_mismatch TEXT;

-- A checkout that existed holds its first trade, or else the accept it had begun
-- (so no second quote of it can begin while the reconciler finishes that one).
UPDATE checkouts SET trade_id = (SELECT trade_id FROM trades WHERE trades.checkout_id = checkouts.checkout_id ORDER BY created_at LIMIT 1),
                     accept_quote_id = COALESCE(
                         (SELECT quote_id FROM trades WHERE trades.checkout_id = checkouts.checkout_id ORDER BY created_at LIMIT 1),
                         (SELECT quote_id FROM quotes WHERE quotes.checkout_id = checkouts.checkout_id AND status = 'accepting' ORDER BY accepted_at LIMIT 1));

-- Signed webhooks owed to the partner's backend: one row per trade status change,
-- delivered with retries; the row id is the event id the partner de-duplicates by.
CREATE TABLE partner_events (
    event_id      TEXT PRIMARY KEY,
    checkout_id   TEXT NOT NULL,
    trade_id      TEXT NOT NULL,
    status        TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at  TEXT,
    last_error    TEXT,
    UNIQUE (trade_id, status)
);
CREATE INDEX partner_events_due ON partner_events(delivered_at, next_attempt_at);

-- Alerts raised by the server (stuck accepts, absurd upstream clock offsets, …).
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    message     TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    UNIQUE (kind, subject)
);
