-- Partner operations: every quote outcome as a compact row (utilization is rebuilt
-- from these), 0Pools' ledger mirrored row for row with the cursor it was pulled to,
-- and each trade's reconciliation against it.

CREATE TABLE quote_outcomes (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            TEXT NOT NULL,
    pool_id       TEXT NOT NULL,
    side          TEXT,
    -- indicative | firm (a quote request), or accept
    quote_type    TEXT NOT NULL,
    -- available | unavailable | limit_error | rate_limited | refused | expired | accepted | accept_failed
    outcome       TEXT NOT NULL,
    -- the unavailable reason or the error code
    reason        TEXT,
    -- the stablecoin leg, when the answer had one (exact decimal text)
    notional_usdt TEXT,
    checkout_id   TEXT,
    quote_id      TEXT
);
CREATE INDEX quote_outcomes_at ON quote_outcomes(at, pool_id);

CREATE TABLE ledger_entries (
    ledger_id       TEXT PRIMARY KEY,
    entry_type      TEXT NOT NULL,
    asset           TEXT NOT NULL,
    amount          TEXT NOT NULL,
    available_after TEXT NOT NULL,
    reserved_after  TEXT NOT NULL,
    transact_id     TEXT,
    created_at      TEXT NOT NULL,
    pulled_at       TEXT NOT NULL
);
CREATE INDEX ledger_entries_transact ON ledger_entries(transact_id);

-- Where an incremental pull got to (e.g. name 'ledger', cursor = the last ledger_id).
CREATE TABLE sync_cursors (
    name       TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE trades ADD COLUMN reconciliation_state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE trades ADD COLUMN reconciliation_reason TEXT;
-- When this server saw the trade become terminal (rows may lag it by a grace period).
ALTER TABLE trades ADD COLUMN terminal_at TEXT;
UPDATE trades SET terminal_at = updated_at WHERE status IN ('settled', 'failed', 'released');
CREATE INDEX trades_reconciliation ON trades(reconciliation_state);

-- Webhook deliveries refused for their signature (a wrong secret, tampering, replay):
-- counted for the partner's alerts.
CREATE TABLE webhook_failures (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at   TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX webhook_failures_at ON webhook_failures(at);
