package dev.berth.webhooks;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.UUID;

/**
 * Where one event goes: a session's own callbackUrl, or a subscription. A receiver is one queue:
 * its deliveries wait only for each other, never for another receiver's.
 */
public sealed interface Receiver {

    /** The queue's key, stored with each delivery; part of the idempotency key. */
    String key();

    String url();

    /** Who sees this receiver's failed deliveries. */
    Owner owner();

    /** The session's callbackUrl, owned by the session's owner; signed with the installation's secret, if any. */
    record Callback(String url, Owner owner) implements Receiver {
        @Override
        public String key() {
            return "callback:" + url;
        }
    }

    /** A subscription, owned by whoever created it; signed with its own secret. */
    record Subscribed(UUID id, String url, Owner owner) implements Receiver {
        @Override
        public String key() {
            return "subscription:" + id;
        }
    }

    /** @param userId empty when the session's keypair had no user */
    record Owner(String domain, String accessKey, String userId) {}

    /**
     * The receiver as metrics name it: a subscription by its id, a callback by its URL's scheme,
     * host and port only, as paths and queries may carry tokens and have no bound.
     */
    static String label(String key, String url) {
        if (!key.startsWith("callback:")) return key;
        try {
            URI uri = new URI(url);
            return "callback:" + uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return "callback:invalid";
        }
    }
}
