-- The host's own order id, carried from the quote onto the trade it became, so a
-- partner can reconcile by its id as well as by ours.
ALTER TABLE trades ADD COLUMN partner_reference TEXT;
CREATE INDEX trades_partner_reference ON trades(partner_reference);
