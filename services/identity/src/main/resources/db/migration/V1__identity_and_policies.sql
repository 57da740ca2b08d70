-- Identities, policies, scaling groups, presets and images: PostgreSQL is their source of truth.
-- Resource slot maps are JSON objects of slot name to an integer in base units (mem in bytes,
-- every other slot in thousandths), as in the Avro records the scheduler reads.

CREATE TABLE domains (
    name                 text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    description          text NOT NULL DEFAULT '',
    is_active            boolean NOT NULL DEFAULT true,
    total_resource_slots jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(total_resource_slots) = 'object'),
    created_at           timestamptz NOT NULL DEFAULT now(),
    modified_at          timestamptz NOT NULL DEFAULT now()
);

-- Projects (the original's "groups"): names are unique across domains, so that a session's
-- project name is enough to find its limits (config.limits key project:<name>).
CREATE TABLE projects (
    name                 text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    domain_name          text NOT NULL REFERENCES domains (name),
    description          text NOT NULL DEFAULT '',
    is_active            boolean NOT NULL DEFAULT true,
    total_resource_slots jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(total_resource_slots) = 'object'),
    created_at           timestamptz NOT NULL DEFAULT now(),
    modified_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_domain ON projects (domain_name);

CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    email                text NOT NULL UNIQUE,
    username             text NOT NULL UNIQUE,
    full_name            text NOT NULL DEFAULT '',
    domain_name          text NOT NULL REFERENCES domains (name),
    role                 text NOT NULL DEFAULT 'user' CHECK (role IN ('superadmin', 'admin', 'user', 'monitor')),
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'deleted')),
    status_info          text,
    total_resource_slots jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(total_resource_slots) = 'object'),
    created_at           timestamptz NOT NULL DEFAULT now(),
    modified_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_domain ON users (domain_name);

CREATE TABLE project_members (
    project_name text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (project_name, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE keypair_resource_policies (
    name                       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    total_resource_slots       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(total_resource_slots) = 'object'),
    default_for_unspecified    text NOT NULL DEFAULT 'UNLIMITED' CHECK (default_for_unspecified IN ('LIMITED', 'UNLIMITED')),
    max_concurrent_sessions    integer NOT NULL DEFAULT 0 CHECK (max_concurrent_sessions >= 0),
    max_containers_per_session integer NOT NULL DEFAULT 0 CHECK (max_containers_per_session >= 0),
    idle_timeout               bigint NOT NULL DEFAULT 0 CHECK (idle_timeout >= 0),
    max_session_lifetime       bigint NOT NULL DEFAULT 0 CHECK (max_session_lifetime >= 0),
    created_at                 timestamptz NOT NULL DEFAULT now(),
    modified_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE keypairs (
    access_key       text PRIMARY KEY CHECK (access_key ~ '^[A-Za-z0-9]{8,64}$'),
    secret_key       text NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id),
    is_active        boolean NOT NULL DEFAULT true,
    is_admin         boolean NOT NULL DEFAULT false,
    resource_policy  text NOT NULL REFERENCES keypair_resource_policies (name),
    rate_limit       integer NOT NULL DEFAULT 10000 CHECK (rate_limit > 0),
    bootstrap_script text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    modified_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX keypairs_user ON keypairs (user_id);

CREATE TABLE scaling_groups (
    name             text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    description      text NOT NULL DEFAULT '',
    is_active        boolean NOT NULL DEFAULT true,
    is_public        boolean NOT NULL DEFAULT true,
    scheduler        text NOT NULL DEFAULT 'fifo' CHECK (scheduler IN ('fifo', 'lifo', 'drf', 'mof')),
    -- {"allowed_session_types": [...], "pending_timeout": seconds, "config": {name: string}}
    scheduler_opts   jsonb NOT NULL DEFAULT '{"allowed_session_types": ["interactive", "batch", "inference"], "pending_timeout": 0, "config": {}}'
                     CHECK (jsonb_typeof(scheduler_opts -> 'allowed_session_types') = 'array'
                            AND jsonb_array_length(scheduler_opts -> 'allowed_session_types') > 0
                            AND (scheduler_opts -> 'allowed_session_types') <@ '["interactive", "batch", "inference"]'
                            AND jsonb_typeof(scheduler_opts -> 'pending_timeout') = 'number'
                            AND (scheduler_opts ->> 'pending_timeout')::numeric >= 0
                            AND jsonb_typeof(scheduler_opts -> 'config') = 'object'),
    use_host_network boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    modified_at      timestamptz NOT NULL DEFAULT now()
);

-- Which scaling groups a session may use: the union of these three associations (RES-08).
CREATE TABLE scaling_groups_for_domains (
    scaling_group text NOT NULL REFERENCES scaling_groups (name) ON DELETE CASCADE,
    domain_name   text NOT NULL REFERENCES domains (name) ON DELETE CASCADE,
    PRIMARY KEY (scaling_group, domain_name)
);
CREATE TABLE scaling_groups_for_projects (
    scaling_group text NOT NULL REFERENCES scaling_groups (name) ON DELETE CASCADE,
    project_name  text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    PRIMARY KEY (scaling_group, project_name)
);
CREATE TABLE scaling_groups_for_keypairs (
    scaling_group text NOT NULL REFERENCES scaling_groups (name) ON DELETE CASCADE,
    access_key    text NOT NULL REFERENCES keypairs (access_key) ON DELETE CASCADE,
    PRIMARY KEY (scaling_group, access_key)
);

CREATE TABLE resource_presets (
    name           text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    resource_slots jsonb NOT NULL CHECK (jsonb_typeof(resource_slots) = 'object'),
    shared_memory  bigint CHECK (shared_memory >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE images (
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    tag           text NOT NULL CHECK (length(tag) BETWEEN 1 AND 128),
    ref           text GENERATED ALWAYS AS (name || ':' || tag) STORED UNIQUE,
    architectures text[] NOT NULL DEFAULT '{x86_64}' CHECK (cardinality(architectures) > 0),
    labels        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
    min_resources jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(min_resources) = 'object'),
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    modified_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, tag)
);

-- The transactional outbox: every change the scheduler must know is written here in the same
-- transaction as the change, and a relay publishes it to the compacted config topic.
CREATE TABLE outbox (
    seq        bigserial PRIMARY KEY,
    topic      text NOT NULL CHECK (topic IN ('keypairs', 'limits', 'scaling-groups')),
    record_key text NOT NULL,
    payload    bytea,            -- Avro bytes of the record; NULL is a tombstone
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_unsent_key ON outbox (topic, record_key, seq) WHERE sent_at IS NULL;
