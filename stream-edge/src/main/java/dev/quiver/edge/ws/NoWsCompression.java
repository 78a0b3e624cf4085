package dev.quiver.edge.ws;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Declines the old per-frame WebSocket compression ({@code deflate-frame}), which Vert.x accepts by default; the
 * per-message one is declined by {@code quarkus.websockets-next.server.per-message-compression-supported=false}.
 * Events are encoded once per pod and written as the same bytes to every connection; compression would redo it per
 * connection, with a compressor's state held by each. With both off, no connection's pipeline carries the extension
 * handler either, SSE ones included.
 */
@ApplicationScoped
public class NoWsCompression implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setPerFrameWebSocketCompressionSupported(false);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setPerFrameWebSocketCompressionSupported(false);
    }
}
