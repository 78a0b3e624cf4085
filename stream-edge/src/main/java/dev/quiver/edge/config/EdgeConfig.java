package dev.quiver.edge.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits and timings of an edge pod (docs/edge.md). */
@ConfigMapping(prefix = "quiver.edge")
public interface EdgeConfig {

    /**
     * Name of this pod, sent to clients in the {@code Quiver-Pod} response header and in WebSocket
     * {@code subscribed} replies so that a client can show which pod serves it. Unset: the {@code HOSTNAME}
     * environment variable (the pod name on Kubernetes), else the machine's host name.
     */
    Optional<String> podName();

    /** Most topics one connection or poll may name. */
    @WithDefault("64")
    int maxTopicsPerConnection();

    /** Most streaming connections this pod holds; beyond it new ones get 503 and go to another pod. */
    @WithDefault("20000")
    int maxConnections();

    /**
     * Most streaming connections one client may hold here: a token's subject, or the IP address of a client without
     * one.
     */
    @WithDefault("100")
    int maxConnectionsPerClient();

    /** Interval of the SSE comment heartbeat that keeps proxies from closing idle streams. */
    @WithDefault("15s")
    Duration heartbeat();

    /**
     * Base of the SSE {@code retry:} hint. Each connection gets a value between this and twice this, so that clients
     * dropped together do not all come back in the same instant.
     */
    @WithDefault("2s")
    Duration retry();

    /**
     * Bytes a connection may have queued and unsent. A client that falls this far behind is closed (SSE:
     * {@code event: slow}); it resumes from its cursor and loses nothing.
     */
    @WithDefault("1M")
    MemorySize slowConsumerBuffer();

    /** Most live events held for a connection while it replays missed ones; beyond it, it is a slow consumer. */
    @WithDefault("10000")
    int maxPendingDuringReplay();

    /**
     * Window over which connections are told to reconnect elsewhere when the pod shuts down. Keep it below the pod's
     * termination grace period; {@code quarkus.shutdown.delay} follows it.
     */
    @WithDefault("20s")
    Duration drainWindow();

    /**
     * How the pod reads live events: {@code pubsub} (each topic's channel, subscribed on the node that owns it; works
     * on standalone Redis, Sentinel and Redis Cluster, and costs nothing per watched topic per event) or {@code xread}
     * (one blocking {@code XREAD} over every watched topic; one primary only, and Redis scans every watched stream on
     * each call). docs/edge.md compares them.
     */
    @WithDefault("pubsub")
    LiveSourceKind liveSource();

    /** The live readers {@link #liveSource()} chooses from. */
    enum LiveSourceKind {
        PUBSUB,
        XREAD
    }

    /**
     * The last events the pod holds per followed topic, so that a client resuming within them (a reconnect, a pod that
     * died, the next long poll) is served without a Redis read; 0 turns it off.
     */
    @WithDefault("64")
    int recentEvents();

    /**
     * The most memory the held events of all topics take together; a topic that grows past it gives back its oldest
     * events, and resumes before them read Redis.
     */
    @WithDefault("32M")
    MemorySize recentMemory();

    /** Events read per topic per Redis call, for the live reader and for replays. */
    @WithDefault("500")
    int readBatch();

    /** How long the {@code xread} live reader blocks in one XREAD before asking again. */
    @WithDefault("5s")
    Duration readBlock();

    /** Longest wait between reconnection attempts of the live reader (backoff doubles up to this, with jitter). */
    @WithDefault("5s")
    Duration readerMaxBackoff();

    /**
     * How long the live reader waits for a Redis node to answer a new connection before it gives it up and tries
     * again: a node that accepts connections and never answers (a half-open socket, a stopped process) would
     * otherwise hold the reader forever, as the Redis client has no deadline of its own for that.
     */
    @WithDefault("5s")
    Duration readerConnectTimeout();

    /**
     * How often the live reader checks that the topics it follows still have the history it is reading (a Redis that
     * lost data without dropping the connection, an operator deleting a topic's keys); subscribers of a replaced
     * history get a reset. It costs one small read per followed topic per interval. Unset: {@code 5s} for the
     * {@code xread} reader, off for {@code pubsub}, which sees a replaced history with the topic's next event and
     * after every reconnect, and whose cost must not grow with the topics a pod watches (at 10,000 topics a pod, a
     * 5 s check was 2,000 reads a second and halved the connect rate: docs/benchmarks.md). {@code 0s} turns it off.
     * On NATS ({@code quiver.broker=nats}) it is one read of the stream's epoch per interval, whatever the number of
     * topics ({@code 5s} unless set): a stream deleted and created again resets every followed topic.
     */
    Optional<Duration> epochCheck();

    /** {@link #epochCheck()} as set, else the reader's default; zero when off. */
    default Duration epochCheckOr(Duration byDefault) {
        return epochCheck().orElse(byDefault);
    }

    /** How long the live reader may be disconnected from Redis before readiness reports DOWN. */
    @WithDefault("5s")
    Duration readerReadyGrace();

    /** Connection attempts (SSE, polls, WebSocket handshakes) per IP address; beyond it, 429 with Retry-After. */
    ConnectRate connectRate();

    /** Long polling. */
    Poll poll();

    /** WebSocket. */
    Ws ws();

    /** WebSocket protocol limits. */
    interface Ws {

        /**
         * Largest inbound message, whether in one frame or in fragments; a larger one closes the connection with 1009.
         */
        @WithDefault("65536")
        int maxMessageSize();

        /**
         * Largest single inbound frame, refused by the frame decoder as it arrives (the TCP connection closes, and the
         * reset may destroy the close frame before the client reads it). Kept above {@link #maxMessageSize()} so that
         * an oversize message gets its 1009.
         */
        @WithDefault("1048576")
        int maxFrameSize();

        /** Malformed frames in a row after which the connection is closed with 4400. */
        @WithDefault("3")
        int maxMalformed();

        /**
         * Origins whose pages may open a WebSocket (exact {@code scheme://host[:port]}); {@code *} allows any. A
         * handshake with another Origin is refused with 403; one without Origin (not a browser) is let through to the
         * credential check. Defaults to the CORS origins.
         */
        @WithDefault("${quarkus.http.cors.origins}")
        List<String> allowedOrigins();
    }

    /** A token bucket per IP address. */
    interface ConnectRate {

        /** Sustained attempts per second. */
        @WithDefault("20")
        double perSecond();

        /** Attempts allowed at once above the sustained rate. */
        @WithDefault("100")
        int burst();
    }

    /** Long-polling limits. */
    interface Poll {

        /** Longest {@code timeout} a poll may ask for, in seconds. */
        @WithDefault("60")
        int maxTimeout();

        /** Default and largest {@code limit}. */
        @WithDefault("100")
        int defaultLimit();

        @WithDefault("1000")
        int maxLimit();
    }
}
