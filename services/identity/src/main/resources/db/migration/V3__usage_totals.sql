-- Usage totals (USG), projected from usage.hourly and usage.daily: one row per period, owner and
-- window, holding the totals so far (a later record for the same key replaces the row). Enum values
-- are lower-cased. HistoryRetention removes terminated sessions' rows and old hourly rows; daily
-- rows of users, projects and domains are kept, since they hold the monthly totals.
CREATE TABLE usage_totals (
    period                 text NOT NULL CHECK (period IN ('hourly', 'daily')),
    owner_kind             text NOT NULL CHECK (owner_kind IN ('session', 'user', 'project', 'domain')),
    owner                  text NOT NULL,
    domain_name            text NOT NULL,
    window_start           timestamptz NOT NULL,
    window_end             timestamptz NOT NULL,
    allocated_slot_seconds jsonb NOT NULL DEFAULT '{}',
    cpu_used_seconds       double precision NOT NULL DEFAULT 0,
    mem_peak_bytes         bigint NOT NULL DEFAULT 0,
    io_read_bytes          bigint NOT NULL DEFAULT 0,
    io_write_bytes         bigint NOT NULL DEFAULT 0,
    net_rx_bytes           bigint NOT NULL DEFAULT 0,
    net_tx_bytes           bigint NOT NULL DEFAULT 0,
    samples                bigint NOT NULL DEFAULT 0,
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (period, owner_kind, owner, window_start)
);
-- An owner's rows of one month, whatever the period: owner_kind = $1 AND owner = $2 AND
-- window_start >= <month start> AND window_start < <next month start>; also the session rows
-- that retention removes.
CREATE INDEX usage_totals_owner_window ON usage_totals (owner_kind, owner, window_start);
