package dev.quiver.contract.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.config.NatsConfig;
import dev.quiver.contract.problem.LogThrottle;

/**
 * The service's connection to NATS and the two streams Quiver keeps there (docs/nats.md), for {@code quiver.broker=nats}:
 * connects on first use and keeps reconnecting for as long as the service runs, creates the streams when they do not
 * exist, and knows the events' stream's epoch.
 * <p>
 * JetStream management calls are blocking requests: callers run them off the event loop.
 */
@ApplicationScoped
public class NatsBroker {

    private static final Logger LOG = Logger.getLogger(NatsBroker.class);
    /** JetStream's "stream not found". */
    static final int STREAM_NOT_FOUND = 10059;
    /** JetStream's "no message found". */
    public static final int NO_MESSAGE = 10037;
    /** JetStream's "stream name already in use" (another service created it first, with other settings). */
    private static final int STREAM_NAME_IN_USE = 10058;
    private static final Duration RETRY_CONNECT = Duration.ofMillis(250);

    private final NatsConfig config;
    private final NatsLayout layout;
    private final Duration duplicateWindow;
    private final AtomicLong highestSequence = new AtomicLong();
    /** Bumped whenever the stream is found gone or replaced, so that a read racing that does not cache a stale epoch. */
    private final AtomicLong generation = new AtomicLong();
    private volatile Connection connection;
    private final CompletableFuture<Connection> ready = new CompletableFuture<>();
    private boolean connecting;
    private volatile boolean closed;
    private final Object epochLock = new Object();
    private volatile String epoch;
    /** The last epoch read, to tell a replaced stream from a re-read of the same one. */
    private String previousEpoch;

    public NatsBroker(NatsConfig config, EventsConfig events) {
        this.config = config;
        this.layout = new NatsLayout(config.stream(), config.subjectPrefix());
        this.duplicateWindow = events.idempotencyWindow();
    }

    /** Subjects and names. */
    public NatsLayout layout() {
        return layout;
    }

    /** How long a JetStream request may take. */
    public Duration timeout() {
        return config.timeout();
    }

    /**
     * The open connection. The first call starts connecting in the background (until a server answers, for as long
     * as the service runs) and waits up to the request timeout for it; while no connection has ever been made, calls
     * fail after that wait, holding no lock. Once made, jnats reconnects it by itself and it is returned at once.
     *
     * @throws IllegalStateException when no connection has been made (yet) or the broker was closed
     */
    public Connection connection() {
        // No lock on the way: jnats completes publishes and requests on its own dispatcher thread, which calls back in
        // here, while another thread may hold a lock waiting for a reply that very thread must deliver.
        Connection open = connection;
        if (open != null) {
            return open;
        }
        startConnecting();
        try {
            return ready.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("NATS at " + config.url() + " cannot be reached yet", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    /**
     * The connection's status without waiting: {@code CONNECTING} until the first connection is made. Asking starts
     * connecting, as {@link #connection()} does: readiness may be the first to ask.
     */
    public Connection.Status status() {
        Connection open = connection;
        if (open != null) {
            return open.getStatus();
        }
        startConnecting();
        return closed ? Connection.Status.CLOSED : Connection.Status.CONNECTING;
    }

    private synchronized void startConnecting() {
        if (connecting || closed) {
            return;
        }
        connecting = true;
        Thread connector = new Thread(this::connectUntilUp, "quiver-nats-connect");
        connector.setDaemon(true);
        connector.start();
    }

    /**
     * Tries every server, again and again, until one answers or the broker is closed. {@code Nats.connect} fails after
     * one pass; the client's own reconnect-on-connect would instead block its caller until a server is up.
     */
    private void connectUntilUp() {
        Options options = options();
        boolean warned = false;
        while (!closed) {
            try {
                Connection made = Nats.connect(options);
                synchronized (this) {
                    if (closed) {
                        made.close();
                        return;
                    }
                    connection = made;
                }
                ready.complete(made);
                return;
            } catch (IOException e) {
                if (!warned) {
                    LOG.warnf("NATS at %s cannot be reached (%s); trying again in the background", config.url(),
                            e.getMessage());
                    warned = true;
                }
                LOG.debugf("connecting to NATS: %s", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(RETRY_CONNECT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Options options() {
        Options.Builder options = Options.builder()
                .servers(config.url().toArray(String[]::new))
                .connectionName("quiver")
                .maxReconnects(-1)
                .reconnectWait(RETRY_CONNECT)
                .connectionTimeout(config.timeout())
                .connectionListener(this::connectionEvent)
                .errorListener(new QuietErrors());
        config.credentials().ifPresent(file -> options.authHandler(Nats.credentials(file)));
        config.token().ifPresent(token -> options.token(token.toCharArray()));
        config.user().ifPresent(user -> options.userInfo(user.toCharArray(),
                config.password().orElse("").toCharArray()));
        return options.build();
    }

    /** JetStream on {@link #connection()}, with the request timeout. */
    public JetStream jetStream() {
        try {
            return connection().jetStream(JetStreamOptions.builder().requestTimeout(config.timeout()).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JetStream management on {@link #connection()}. */
    public JetStreamManagement management() {
        try {
            return connection().jetStreamManagement(JetStreamOptions.builder().requestTimeout(config.timeout())
                    .build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The epoch when it is known without a request, else {@code null}. */
    public String knownEpoch() {
        return epoch;
    }

    /**
     * The events' stream's epoch, creating both streams when they do not exist yet. Blocking; cached until
     * {@link #sequenceStored} notices the stream was replaced.
     */
    public String epoch() throws IOException, JetStreamApiException {
        String known = epoch;
        if (known != null) {
            return known;
        }
        synchronized (epochLock) {
            if (epoch == null) {
                long generationBefore = generation.get();
                StreamInfo info = ensureStreams();
                String read = layout.epoch(info.getCreateTime());
                long last = info.getStreamState().getLastSequence();
                if (previousEpoch != null && !previousEpoch.equals(read)) {
                    LOG.warnf("The NATS stream %s was replaced: its history starts again (epoch %s)",
                            layout.stream(), read);
                    highestSequence.set(last);
                } else {
                    highestSequence.accumulateAndGet(last, Math::max);
                }
                previousEpoch = read;
                if (generation.get() == generationBefore) {
                    epoch = read;
                }
                // Else the stream was found replaced while this read it: the next call reads it again.
                return read;
            }
            return epoch;
        }
    }

    /** The highest sequence this service has been given by the events' stream: read it before a publish. */
    public long highestSequence() {
        return highestSequence.get();
    }

    /**
     * Tells the broker the sequence a new (not duplicate) message was stored at, and the {@link #highestSequence()}
     * read before it was published. In one stream a message published after another's acknowledgement is stored after
     * it, so a sequence not above that one means the stream was deleted and created again (its sequence restarted):
     * the epoch is read again, so the history that started over gets its own. Comparing with the highest sequence
     * seen at the time of the acknowledgement instead would mistake concurrent publishes acknowledged out of order
     * for a new stream.
     */
    public void sequenceStored(long sequence, long highestBeforePublish) {
        highestSequence.accumulateAndGet(sequence, Math::max);
        if (sequence <= highestBeforePublish) {
            // No lock: this runs on jnats' dispatcher thread (see connection()). A re-read racing this one reads the
            // stream as it is now, which is the point.
            generation.incrementAndGet();
            epoch = null;
            highestSequence.set(sequence);
        }
    }

    /**
     * The first event message of {@code filter} (a topic's filter, or one subject) from stream sequence {@code from}
     * on, or {@code null} when there is none. Blocking.
     */
    public MessageInfo next(String filter, long from) throws IOException, JetStreamApiException {
        return orNull(MessageGetRequest.nextForSubject(from, filter));
    }

    /** The last event message of {@code filter}, or {@code null} when there is none. Blocking. */
    public MessageInfo last(String filter) throws IOException, JetStreamApiException {
        return orNull(MessageGetRequest.lastForSubject(filter));
    }

    private MessageInfo orNull(MessageGetRequest request) throws IOException, JetStreamApiException {
        try {
            return management().getMessage(layout.stream(), request);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return null;
            }
            throw e;
        }
    }

    /** Forgets the epoch (the stream was not found): the next {@link #epoch()} looks, and creates it if needed. */
    public void forgetStream() {
        generation.incrementAndGet();
        epoch = null;
    }

    /** Creates the streams when they are missing; returns the events' stream. */
    private StreamInfo ensureStreams() throws IOException, JetStreamApiException {
        JetStreamManagement management = management();
        ensure(management, StreamConfiguration.builder()
                .name(layout.metaStream())
                .subjects(layout.floorSubjects())
                .storageType(StorageType.File)
                .replicas(config.replicas())
                .maxMessagesPerSubject(1)
                .allowDirect(true)
                .build());
        return ensure(management, StreamConfiguration.builder()
                .name(layout.stream())
                .subjects(layout.eventSubjects())
                .storageType(StorageType.File)
                .replicas(config.replicas())
                .duplicateWindow(duplicateWindow)
                .discardPolicy(DiscardPolicy.Old)
                .allowDirect(true)
                .build());
    }

    static StreamInfo ensure(JetStreamManagement management, StreamConfiguration wanted)
            throws IOException, JetStreamApiException {
        try {
            return management.getStreamInfo(wanted.getName());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw e;
            }
        }
        try {
            StreamInfo created = management.addStream(wanted);
            LOG.infof("Created the NATS stream %s (%s, %d replicas)", wanted.getName(), wanted.getSubjects(),
                    wanted.getReplicas());
            return created;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                throw e;
            }
            // Another service created it a moment ago.
            return management.getStreamInfo(wanted.getName());
        }
    }

    private void connectionEvent(Connection source, ConnectionListener.Events event) {
        switch (event) {
            case CONNECTED, RECONNECTED -> LOG.infof("NATS %s: %s", event.name().toLowerCase(java.util.Locale.ROOT),
                    source.getConnectedUrl());
            case DISCONNECTED -> LOG.warnf("NATS disconnected; reconnecting");
            default -> LOG.debugf("NATS connection event %s", event);
        }
    }

    /**
     * The client's own listener logs every reconnect attempt at SEVERE and every flow-control reply: while a server is
     * down that is a line per attempt, which buries what matters. Here connection failures are DEBUG (the connection
     * listener says "disconnected" and "reconnected" once each), and what needs an operator, at most once per kind and
     * 10 s: an error the server sent, a slow consumer, a missed consumer heartbeat.
     */
    private static final class QuietErrors implements ErrorListener {

        private static final LogThrottle THROTTLE = new LogThrottle(Duration.ofSeconds(10));

        @Override
        public void errorOccurred(Connection connection, String error) {
            warn("error", "NATS server error: %s", error);
        }

        @Override
        public void exceptionOccurred(Connection connection, Exception exception) {
            LOG.debugf("NATS connection: %s", exception.toString());
        }

        @Override
        public void slowConsumerDetected(Connection connection, Consumer consumer) {
            warn("slow", "NATS dropped messages for a slow consumer (%s): the reader catches up from the stream",
                    consumer);
        }

        @Override
        public void heartbeatAlarm(Connection connection, JetStreamSubscription subscription,
                long lastStreamSequence, long lastConsumerSequence) {
            warn("heartbeat", "NATS consumer heartbeat missed after stream sequence %d: it is recreated from there",
                    lastStreamSequence);
        }

        private static void warn(String kind, String format, Object detail) {
            long dropped = THROTTLE.admit(kind);
            if (dropped >= 0) {
                LOG.warnf(format + (dropped > 0 ? " (and " + dropped + " more)" : ""), detail);
            }
        }
    }

    @PreDestroy
    public synchronized void close() {
        closed = true;
        ready.completeExceptionally(new IllegalStateException("the NATS broker is closed"));
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
