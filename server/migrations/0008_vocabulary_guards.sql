-- The closed vocabularies the server stores (core's `vocabulary!` enums: Side,
-- TradeStatus, ReconciliationState, LedgerEntryType) are refused by the database
-- itself when a write carries any other word, as quotes.status and trades.status
-- always were: a bug writes nothing instead of a row no reader can decode. Each guard
-- is named <table>_<column>_word (the error names it); a NULL passes (checkouts' and
-- quote outcomes' side are optional). tests/vocabulary_guards.rs holds these lists to
-- the enums on both stores.
--
-- SQLite cannot add a CHECK to an existing table without rebuilding it: triggers
-- refuse the word on insert and on update of the column instead. Rows written before
-- this migration are not re-read: quote outcomes used to keep a refused request's side
-- as it was spelled ('BUY'), so old rows may hold other words (nothing updates them).

CREATE TRIGGER checkouts_side_word_insert BEFORE INSERT ON checkouts WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'checkouts_side_word: not a word of this column'); END;
CREATE TRIGGER checkouts_side_word_update BEFORE UPDATE OF side ON checkouts WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'checkouts_side_word: not a word of this column'); END;

CREATE TRIGGER quotes_side_word_insert BEFORE INSERT ON quotes WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'quotes_side_word: not a word of this column'); END;
CREATE TRIGGER quotes_side_word_update BEFORE UPDATE OF side ON quotes WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'quotes_side_word: not a word of this column'); END;

CREATE TRIGGER trades_side_word_insert BEFORE INSERT ON trades WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'trades_side_word: not a word of this column'); END;
CREATE TRIGGER trades_side_word_update BEFORE UPDATE OF side ON trades WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'trades_side_word: not a word of this column'); END;

CREATE TRIGGER trades_reconciliation_state_word_insert BEFORE INSERT ON trades WHEN NEW.reconciliation_state NOT IN ('open', 'matched', 'exception')
BEGIN SELECT RAISE(ABORT, 'trades_reconciliation_state_word: not a word of this column'); END;
CREATE TRIGGER trades_reconciliation_state_word_update BEFORE UPDATE OF reconciliation_state ON trades WHEN NEW.reconciliation_state NOT IN ('open', 'matched', 'exception')
BEGIN SELECT RAISE(ABORT, 'trades_reconciliation_state_word: not a word of this column'); END;

CREATE TRIGGER trade_status_history_status_word_insert BEFORE INSERT ON trade_status_history WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'trade_status_history_status_word: not a word of this column'); END;
CREATE TRIGGER trade_status_history_status_word_update BEFORE UPDATE OF status ON trade_status_history WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'trade_status_history_status_word: not a word of this column'); END;

CREATE TRIGGER webhook_events_status_word_insert BEFORE INSERT ON webhook_events WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'webhook_events_status_word: not a word of this column'); END;
CREATE TRIGGER webhook_events_status_word_update BEFORE UPDATE OF status ON webhook_events WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'webhook_events_status_word: not a word of this column'); END;

CREATE TRIGGER partner_events_status_word_insert BEFORE INSERT ON partner_events WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'partner_events_status_word: not a word of this column'); END;
CREATE TRIGGER partner_events_status_word_update BEFORE UPDATE OF status ON partner_events WHEN NEW.status NOT IN ('reserved', 'settled', 'failed', 'released')
BEGIN SELECT RAISE(ABORT, 'partner_events_status_word: not a word of this column'); END;

CREATE TRIGGER quote_outcomes_side_word_insert BEFORE INSERT ON quote_outcomes WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'quote_outcomes_side_word: not a word of this column'); END;
CREATE TRIGGER quote_outcomes_side_word_update BEFORE UPDATE OF side ON quote_outcomes WHEN NEW.side NOT IN ('buy', 'sell')
BEGIN SELECT RAISE(ABORT, 'quote_outcomes_side_word: not a word of this column'); END;

CREATE TRIGGER ledger_entries_entry_type_word_insert BEFORE INSERT ON ledger_entries WHEN NEW.entry_type NOT IN ('top_up', 'reserve', 'settle', 'release', 'fail')
BEGIN SELECT RAISE(ABORT, 'ledger_entries_entry_type_word: not a word of this column'); END;
CREATE TRIGGER ledger_entries_entry_type_word_update BEFORE UPDATE OF entry_type ON ledger_entries WHEN NEW.entry_type NOT IN ('top_up', 'reserve', 'settle', 'release', 'fail')
BEGIN SELECT RAISE(ABORT, 'ledger_entries_entry_type_word: not a word of this column'); END;
