-- Work shared by several replicas on one database is coordinated here, not in any
-- process's memory. An accept's upstream call belongs to the replica holding its
-- lease (holder and end); a replica that dies mid-accept leaves a lease that runs
-- out, and another replica finishes the accept with the same idempotency key.
ALTER TABLE quotes ADD COLUMN accept_lease_holder TEXT;
ALTER TABLE quotes ADD COLUMN accept_lease_until TEXT;

-- Named leases for work one replica does at a time (e.g. 'reconciler').
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
