-- The read model of sessions (SES-23), projected from session.events; the lifecycle topology owns
-- the state, this table answers queries. A row is replaced only by a higher version.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    access_key      text NOT NULL,
    user_id         text NOT NULL DEFAULT '',
    domain_name     text NOT NULL,
    project_name    text NOT NULL,
    scaling_group   text NOT NULL,
    session_type    text NOT NULL,
    cluster_mode    text NOT NULL,
    cluster_size    integer NOT NULL CHECK (cluster_size >= 1),
    image           text NOT NULL,
    status          text NOT NULL,
    status_info     text,
    status_history  jsonb NOT NULL DEFAULT '{}',
    result          text NOT NULL DEFAULT 'UNDEFINED',
    requested_slots jsonb NOT NULL DEFAULT '{}',
    starts_at       timestamptz,
    created_at      timestamptz NOT NULL,
    terminated_at   timestamptz,
    version         bigint NOT NULL
);
CREATE INDEX sessions_access_key ON sessions (access_key, created_at DESC);
CREATE INDEX sessions_domain ON sessions (domain_name, created_at DESC);
CREATE INDEX sessions_status ON sessions (status);

CREATE TABLE session_dependencies (
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    depends_on uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, depends_on)
);
