package dev.quiver.contract.security;

/**
 * Where a request comes from, for audit lines and per-address limits.
 *
 * @param ip the client address as the server sees it (the balancer's, unless forwarding headers are trusted)
 * @param transport {@code http}, {@code sse}, {@code poll} or {@code ws}
 * @param path the request path, without its query (which may hold a token)
 */
public record Caller(String ip, String transport, String path) {
}
