-- Partner console sign-ins: only the SHA-256 of each session token is stored, so a
-- copy of the database does not sign anyone in. Shared by every replica.
CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
