package dev.berth.identity;

/**
 * What a term of leadership (or of a held lock) is known by: the etcd revision at which its key was
 * created, which is higher for every later term of the same name, and the lease the key lives on.
 *
 * @param name     the election or lock, e.g. {@code berth/leader/history-retention}
 * @param holder   the candidate that holds the term
 * @param lease    the etcd lease of the term
 * @param revision the create revision of the term's key: the token a guarded write compares
 */
public record FencingToken(String name, String holder, long lease, long revision) {}
