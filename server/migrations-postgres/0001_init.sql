-- Postgres twin of migrations/0001_init.sql (same tables and columns; a test keeps
-- the two folders in step). Identity columns are BIGINT, read as i64 like SQLite's.
-- Every record a support question may start from: session, quote (with 0Pools'
-- request id), trade (with its idempotency key and status history), webhook event.
-- Money, amounts and rates are TEXT: the exact decimal strings 0Pools returned.
-- Times are RFC 3339 UTC TEXT.

CREATE TABLE sessions (
    session_id      TEXT PRIMARY KEY,
    -- Only a SHA-256 of the bearer token is stored.
    token_hash      TEXT NOT NULL UNIQUE,
    partner_user_id TEXT,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);

CREATE TABLE quotes (
    -- 0Pools' quote id; for an unavailable answer (which has none) a local `qu_` id.
    quote_id            TEXT PRIMARY KEY,
    session_id          TEXT NOT NULL REFERENCES sessions(session_id),
    status              TEXT NOT NULL CHECK (status IN ('active', 'accepting', 'accepted', 'expired', 'rejected', 'unavailable')),
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
    -- Set when an accept begins: the durable intent a restart resumes from.
    accepted_at         TEXT,
    idempotency_key     TEXT UNIQUE,
    recorded_at         TEXT NOT NULL
);
CREATE INDEX quotes_session ON quotes(session_id);
CREATE INDEX quotes_status ON quotes(status);

CREATE TABLE trades (
    -- 0Pools' transact id.
    trade_id            TEXT PRIMARY KEY,
    quote_id            TEXT NOT NULL UNIQUE REFERENCES quotes(quote_id),
    session_id          TEXT NOT NULL REFERENCES sessions(session_id),
    idempotency_key     TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL CHECK (status IN ('reserved', 'settled', 'failed', 'released')),
    request_id          TEXT,
    pool_id             TEXT NOT NULL,
    side                TEXT NOT NULL,
    source_asset        TEXT NOT NULL,
    source_amount       TEXT NOT NULL,
    target_asset        TEXT NOT NULL,
    target_amount       TEXT NOT NULL,
    network             TEXT NOT NULL,
    destination_address TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX trades_status ON trades(status);

CREATE TABLE trade_status_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trade_id    TEXT NOT NULL REFERENCES trades(trade_id),
    status      TEXT NOT NULL,
    -- transact | webhook | reconcile
    source      TEXT NOT NULL,
    event_id    TEXT,
    request_id  TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX trade_status_history_trade ON trade_status_history(trade_id);

CREATE TABLE webhook_events (
    event_id    TEXT PRIMARY KEY,
    event_type  TEXT NOT NULL,
    transact_id TEXT NOT NULL,
    quote_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX webhook_events_transact ON webhook_events(transact_id);
