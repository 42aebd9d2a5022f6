-- The closed vocabularies the server stores (core's `vocabulary!` enums: Side,
-- TradeStatus, ReconciliationState, LedgerEntryType) are refused by the database
-- itself when a write carries any other word, as quotes.status and trades.status
-- always were: a bug writes nothing instead of a row no reader can decode. Each guard
-- is named <table>_<column>_word (the error names it); a NULL passes (checkouts' and
-- quote outcomes' side are optional). tests/vocabulary_guards.rs holds these lists to
-- the enums on both stores.
--
-- Added NOT VALID, as SQLite's triggers are: new writes are checked, rows written
-- before are not re-read. Quote outcomes used to keep a refused request's side as it
-- was spelled ('BUY'), so old rows may hold other words; validating would stop the
-- server from starting. Unlike SQLite's triggers (which fire when the column is set),
-- Postgres checks a row on any UPDATE of it: nothing updates quote outcomes, and the
-- other guarded columns only ever held their words. (Nor is a large table scanned
-- under the migration's lock while other replicas wait to write.)

ALTER TABLE checkouts ADD CONSTRAINT checkouts_side_word CHECK (side IN ('buy', 'sell')) NOT VALID;

ALTER TABLE quotes ADD CONSTRAINT quotes_side_word CHECK (side IN ('buy', 'sell')) NOT VALID;

ALTER TABLE trades ADD CONSTRAINT trades_side_word CHECK (side IN ('buy', 'sell')) NOT VALID;

ALTER TABLE trades ADD CONSTRAINT trades_reconciliation_state_word CHECK (reconciliation_state IN ('open', 'matched', 'exception')) NOT VALID;

ALTER TABLE trade_status_history ADD CONSTRAINT trade_status_history_status_word CHECK (status IN ('reserved', 'settled', 'failed', 'released')) NOT VALID;

ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_status_word CHECK (status IN ('reserved', 'settled', 'failed', 'released')) NOT VALID;

ALTER TABLE partner_events ADD CONSTRAINT partner_events_status_word CHECK (status IN ('reserved', 'settled', 'failed', 'released')) NOT VALID;

ALTER TABLE quote_outcomes ADD CONSTRAINT quote_outcomes_side_word CHECK (side IN ('buy', 'sell')) NOT VALID;

ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_entry_type_word CHECK (entry_type IN ('top_up', 'reserve', 'settle', 'release', 'fail')) NOT VALID;
