-- Twin of migrations-postgres/0007_begin_accept.sql, which adds a function that
-- begins an accept in one round trip. SQLite needs none: there the same steps are
-- statements sent to SQLite as one (store/accepts.rs::begin_accept).
SELECT 1;
