package dev.quiver.edge.ws;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

import dev.quiver.edge.config.EdgeConfig;
import dev.quiver.edge.ws.protocol.JsonCodec;
import dev.quiver.edge.ws.protocol.MessagePackCodec;

/**
 * The WebSocket settings of the HTTP server: the two subprotocols, the inbound limits, and no compression. Compression
 * offers (every browser makes one) are declined: events are encoded once per pod and written as the same bytes to
 * every connection, where {@code permessage-deflate} would compress each again per connection, with a compressor held
 * by each. With both kinds off, no connection's pipeline carries the extension handler either, SSE ones included.
 */
@ApplicationScoped
public class WsServerOptions implements HttpServerOptionsCustomizer {

    private final EdgeConfig config;

    public WsServerOptions(EdgeConfig config) {
        this.config = config;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        customize(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        customize(options);
    }

    private void customize(HttpServerOptions options) {
        options.setWebSocketSubProtocols(List.of(JsonCodec.SUBPROTOCOL, MessagePackCodec.SUBPROTOCOL))
                .setMaxWebSocketMessageSize(config.ws().maxMessageSize())
                .setMaxWebSocketFrameSize(config.ws().maxFrameSize())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
    }
}
