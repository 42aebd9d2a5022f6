-- Beginning an accept in one round trip (store/accepts.rs::begin_accept): the
-- checkout's row is locked, and the quote begins only if the checkout's one
-- conversion is free or already this quote's; the claim is taken only then. One
-- call instead of BEGIN, two UPDATEs and COMMIT on the accept's path.
-- SQLite's twin needs no function: there the same steps are statements sent as one.
CREATE FUNCTION qw_begin_accept(p_checkout TEXT, p_quote TEXT, p_at TEXT, p_key TEXT, p_holder TEXT, p_until TEXT)
RETURNS TABLE (began_now BIGINT, holder_quote TEXT, holder_trade TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    held_by TEXT;
    converted_to TEXT;
    began BIGINT;
BEGIN
    SELECT c.accept_quote_id, c.trade_id INTO held_by, converted_to FROM checkouts c WHERE c.checkout_id = p_checkout FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF held_by IS NOT NULL AND held_by <> p_quote THEN
        RETURN QUERY SELECT 0::BIGINT, held_by, converted_to;
        RETURN;
    END IF;
    UPDATE quotes q SET status = 'accepting', accepted_at = p_at, idempotency_key = p_key, accept_lease_holder = p_holder, accept_lease_until = p_until
        WHERE q.quote_id = p_quote AND q.status = 'active';
    GET DIAGNOSTICS began = ROW_COUNT;
    IF began = 1 THEN
        UPDATE checkouts c SET accept_quote_id = p_quote WHERE c.checkout_id = p_checkout;
        held_by := p_quote;
    END IF;
    RETURN QUERY SELECT began, held_by, converted_to;
END
$$;
