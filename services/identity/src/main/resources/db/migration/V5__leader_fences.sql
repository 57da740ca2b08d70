-- The last fencing token that wrote for each leader-only job (FencedTransactions): a transaction
-- claims its job's row with its etcd term's token and is refused if a later term has written.
CREATE TABLE leader_fences (
    name       text PRIMARY KEY,
    token      bigint NOT NULL,
    holder     text NOT NULL,
    updated_at timestamptz NOT NULL
);
