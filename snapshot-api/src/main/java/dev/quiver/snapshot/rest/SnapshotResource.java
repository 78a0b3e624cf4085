package dev.quiver.snapshot.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.smallrye.mutiny.Uni;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.Topics;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.snapshot.config.SnapshotConfig;
import dev.quiver.snapshot.metrics.SnapshotMetrics;
import dev.quiver.snapshot.service.SnapshotReader;

/** The snapshot API (docs/snapshot.md): state, one entity, and history after a cursor. */
@Path("/v1/topics/{topic}")
@Tag(name = "Snapshot", description = "The authoritative state of a topic, with cursors that line up with the stream")
@Produces(MediaType.APPLICATION_JSON)
public class SnapshotResource {

    private static final JsonFactory JSON = new JsonFactory();

    private final SnapshotReader reader;
    private final SnapshotConfig config;
    private final SnapshotMetrics metrics;

    public SnapshotResource(SnapshotReader reader, SnapshotConfig config, SnapshotMetrics metrics) {
        this.reader = reader;
        this.config = config;
        this.metrics = metrics;
    }

    @GET
    @Path("/snapshot")
    @Operation(summary = "State of the topic at a cursor, in pages ordered by key")
    @APIResponse(responseCode = "200", description = "A page of the state")
    @APIResponse(responseCode = "304", description = "Unchanged since the ETag in If-None-Match")
    public Uni<Response> snapshot(@PathParam("topic") String topic, @QueryParam("after") String after,
            @QueryParam("limit") String limit, @QueryParam("walk") String walk,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        checkTopic(topic);
        int size = bounded(limit, config.defaultLimit(), config.maxLimit(), "limit");
        TopicPosition walkStart = walk == null ? null : cursor(walk, "walk");
        if (ifNoneMatch != null) {
            Uni<Response> notModified = reader.version(topic).map(version -> {
                EntityTag etag = etag(version, after, size, walk);
                return matches(ifNoneMatch, etag)
                        ? Response.notModified(etag).header("Cache-Control", "no-cache").build()
                        : null;
            });
            return notModified.flatMap(answer -> {
                if (answer != null) {
                    metrics.notModified();
                    return Uni.createFrom().item(answer);
                }
                return page(topic, after, size, walk, walkStart);
            });
        }
        return page(topic, after, size, walk, walkStart);
    }

    private Uni<Response> page(String topic, String after, int size, String walk, TopicPosition walkStart) {
        return reader.page(topic, after, size).map(page -> {
            if (walkStart != null && walkStart.epoch() != null && !walkStart.epoch().equals(page.position().epoch())) {
                throw gone(topic, "unknown", "The topic's history was replaced during the walk; start it again");
            }
            TopicPosition cursor = walkStart != null ? walkStart : page.position();
            ByteArrayOutputStream out = new ByteArrayOutputStream(256 + page.entities().size() * 64);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("topic", topic);
                json.writeStringField("cursor", cursor.wire());
                if (walkStart != null) {
                    json.writeStringField("pageCursor", page.position().wire());
                }
                json.writeArrayFieldStart("entities");
                for (SnapshotReader.Entity entity : page.entities()) {
                    json.writeStartObject();
                    json.writeStringField("key", entity.key());
                    json.writeFieldName("data");
                    json.writeRawValue(entity.data());
                    json.writeStringField("id", entity.id().toString());
                    json.writeStringField("time", entity.time());
                    json.writeEndObject();
                }
                json.writeEndArray();
                if (page.more()) {
                    String lastKey = page.entities().isEmpty()
                            ? after
                            : page.entities().get(page.entities().size() - 1).key();
                    json.writeStringField("next", "/v1/topics/" + topic + "/snapshot?after=" + encode(lastKey)
                            + "&limit=" + size + "&walk=" + encode(cursor.wire()));
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            metrics.entities(page.entities().size());
            return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON)
                    .tag(etag(page.position(), after, size, walk))
                    .header("Cache-Control", "no-cache")
                    .build();
        });
    }

    @GET
    @Path("/entities/{key: .+}")
    @Operation(summary = "One entity and the cursor its state reflects")
    @APIResponse(responseCode = "200", description = "The entity")
    @APIResponse(responseCode = "404", description = "No entity with that key")
    public Uni<Response> entity(@PathParam("topic") String topic, @PathParam("key") String pathKey) {
        checkTopic(topic);
        String key = SnapshotRoutes.key(pathKey);
        return reader.entity(topic, key).map(found -> {
            if (found.entity() == null) {
                throw new ProblemException(ProblemType.NOT_FOUND, "No entity with that key in " + topic)
                        .with("cursor", found.position().wire());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128 + found.entity().data().length());
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("key", key);
                json.writeFieldName("data");
                json.writeRawValue(found.entity().data());
                json.writeStringField("id", found.entity().id().toString());
                json.writeStringField("time", found.entity().time());
                json.writeStringField("cursor", found.position().wire());
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON).header("Cache-Control", "no-cache")
                    .build();
        });
    }

    @GET
    @Path("/events")
    @Operation(summary = "History after a cursor; 410 when the cursor is older than retention")
    @APIResponse(responseCode = "200", description = "Events after the cursor and the cursor to continue from")
    @APIResponse(responseCode = "410", description = "The cursor is no longer served: reload the snapshot")
    public Uni<Response> events(@PathParam("topic") String topic, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        checkTopic(topic);
        int size = bounded(limit, config.defaultEventsLimit(), config.maxEventsLimit(), "limit");
        TopicPosition from = after == null ? TopicPosition.EMPTY : cursor(after, "after");
        return reader.eventsAfter(topic, from.id(), size).map(history -> {
            if (history.epoch() == null) {
                if (from.epoch() != null) {
                    throw gone(topic, "unknown", "The topic's history is gone");
                }
            } else if (from.epoch() != null && !from.epoch().equals(history.epoch())) {
                throw gone(topic, "unknown", "The cursor belongs to another history of this topic");
            } else if (history.floor() != null && from.id().isBefore(history.floor())) {
                throw gone(topic, "expired", "Events after this cursor were trimmed by retention");
            } else if (history.cursor() != null && history.cursor().isBefore(from.id())) {
                throw gone(topic, "unknown", "The cursor is beyond anything this topic holds");
            }
            TopicPosition next = from;
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 + history.events().size() * 160);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeArrayFieldStart("events");
                for (SnapshotReader.EventJson event : history.events()) {
                    json.writeRawValue(new String(event.json(), StandardCharsets.UTF_8));
                    next = new TopicPosition(history.epoch(), event.id());
                }
                json.writeEndArray();
                json.writeStringField("next", next.wire());
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON).header("Cache-Control", "no-cache")
                    .build();
        });
    }

    private ProblemException gone(String topic, String reason, String detail) {
        metrics.gone();
        return new ProblemException(ProblemType.CURSOR_GONE, detail).with("reason", reason)
                .with("snapshot", "/v1/topics/" + topic + "/snapshot");
    }

    static void checkTopic(String topic) {
        if (!Topics.isValid(topic)) {
            throw new ProblemException(ProblemType.INVALID_TOPIC, "Topic names match " + Topics.PATTERN)
                    .with("field", "path:topic");
        }
    }

    private static TopicPosition cursor(String text, String name) {
        try {
            return TopicPosition.parseCursor(text);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(ProblemType.INVALID_CURSOR, name + " is a topic cursor, <epoch>:<ms>-<seq> or -")
                    .with("field", "query:" + name);
        }
    }

    static int bounded(String text, int fallback, int max, String name) {
        if (text == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > max) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, name + " must be from 1 to " + max)
                    .with("field", "query:" + name);
        }
        return value;
    }

    /** Whether an If-None-Match header names this tag (or is {@code *}); weak and strong forms compare alike. */
    private static boolean matches(String ifNoneMatch, EntityTag etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.replaceFirst("^W/", "").equals("\"" + etag.getValue() + "\"")) {
                return true;
            }
        }
        return false;
    }

    /** The state version (epoch and cursor) plus what selects the page: equal tags, equal bytes. */
    static EntityTag etag(TopicPosition version, String after, int limit, String walk) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String identity = version.wire() + "\n" + (after == null ? "" : after) + "\n" + limit + "\n"
                    + (walk == null ? "" : walk);
            return new EntityTag(
                    HexFormat.of().formatHex(sha.digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
