-- Lifecycle webhooks (HOOK): who wants to hear about which sessions, and every POST owed to them.
-- The dispatcher writes one delivery per event and receiver, keyed by an idempotency key, so a
-- replay of session.events inserts nothing twice; its workers send the rows and settle them here.

-- A subscription hears the events of every session of one project or one user. Owner and domain
-- say who may see it: its owner, an admin of its domain, a superadmin (as for sessions).
CREATE TABLE webhook_subscriptions (
    id               uuid PRIMARY KEY,
    scope            text NOT NULL CHECK (scope IN ('project', 'user')),
    scope_id         text NOT NULL,    -- the project's name or the user's id
    domain_name      text NOT NULL,    -- the project's or the user's domain
    owner_access_key text NOT NULL,
    owner_user_id    text NOT NULL,
    event_types      text[] NOT NULL DEFAULT '{}',    -- empty: every event
    url              text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    secret           text NOT NULL,
    active           boolean NOT NULL DEFAULT true,   -- false once deleted; its deliveries stay for the record
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_scope ON webhook_subscriptions (scope, scope_id) WHERE active;
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_user_id, created_at DESC);

-- One POST of one event to one receiver. receiver is the queue the row waits in:
-- 'subscription:<id>' or 'callback:<url>' (a session's callbackUrl). Within a receiver, a session's
-- rows go out in (version, seq) order, each after the one before is delivered or failed; seq tells
-- two events of one version apart (terminated, then success or failure). Owner and domain are the
-- subscription's, or the session's for a callback, and say who sees a failure.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,  -- the idempotency key: a hash of (receiver, session id, version, event)
    queued           bigserial NOT NULL, -- arrival order, to break ties between sessions of one receiver
    receiver         text NOT NULL,
    subscription_id  uuid REFERENCES webhook_subscriptions (id),
    url              text NOT NULL,
    session_id       uuid NOT NULL,
    event            text NOT NULL,
    event_id         uuid NOT NULL,     -- the same for every receiver of this event
    version          bigint NOT NULL,   -- the session's version after the event
    seq              smallint NOT NULL DEFAULT 0,
    payload          json NOT NULL,     -- the body, as sent (json keeps its text, and so its key order)
    domain_name      text NOT NULL,
    owner_access_key text NOT NULL,
    owner_user_id    text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
-- what is due, and whether an earlier row of the same receiver and session still waits
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (receiver, session_id, version, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (updated_at DESC) WHERE status = 'failed';
