package dev.quiver.snapshot.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.smallrye.mutiny.Uni;

import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.event.TopicPatterns;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.snapshot.service.PresenceReader;

/**
 * Who is in a topic (docs/presence.md): its members across every edge pod and transport, and a cheap count. Reading
 * needs the right to subscribe to the topic, like every resource under {@code /v1/topics/{topic}}.
 */
@Path("/v1/topics/{topic}/presence")
@Tag(name = "Presence", description = "Who is connected to a topic, on any pod and transport")
@Produces(MediaType.APPLICATION_JSON)
public class PresenceResource {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final PresenceReader reader;
    private final TopicPatterns topics;

    public PresenceResource(PresenceReader reader, PresenceConfig config) {
        this.reader = reader;
        this.topics = config.patterns();
    }

    @GET
    @Operation(summary = "The topic's members, ordered by subject, in pages; with the member and anonymous counts")
    @APIResponse(responseCode = "200", description = "A page of members")
    @APIResponse(responseCode = "404", description = "The topic has no presence (quiver.presence.topics)")
    public Uni<Response> members(@PathParam("topic") String topic, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        check(topic);
        int size = SnapshotResource.bounded(limit, DEFAULT_LIMIT, MAX_LIMIT, "limit");
        return reader.page(topic, after == null || after.isEmpty() ? null : after, size).map(page -> {
            String last = null;
            ByteArrayOutputStream out = new ByteArrayOutputStream(128 + page.members().size() * 96);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                counts(json, topic, page);
                json.writeArrayFieldStart("members");
                for (String member : page.members()) {
                    json.writeRawValue(member);
                }
                json.writeEndArray();
                if (page.more() && !page.members().isEmpty()) {
                    last = subjectOf(page.members().get(page.members().size() - 1));
                    json.writeStringField("next", "/v1/topics/" + topic + "/presence?after="
                            + SnapshotResource.encode(last) + "&limit=" + size);
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON).header("Cache-Control", "no-store")
                    .build();
        });
    }

    @GET
    @Path("/count")
    @Operation(summary = "How many members the topic has, and how many connections without a subject")
    @APIResponse(responseCode = "200", description = "The counts")
    @APIResponse(responseCode = "404", description = "The topic has no presence (quiver.presence.topics)")
    public Uni<Response> count(@PathParam("topic") String topic) {
        check(topic);
        return reader.count(topic).map(page -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(96);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                counts(json, topic, page);
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON).header("Cache-Control", "no-store")
                    .build();
        });
    }

    private void check(String topic) {
        SnapshotResource.checkTopic(topic);
        if (!topics.matches(topic)) {
            throw new ProblemException(ProblemType.NOT_FOUND,
                    "Topic " + topic + " has no presence (quiver.presence.topics)");
        }
    }

    private static void counts(JsonGenerator json, String topic, PresenceLayout.Page page) throws IOException {
        json.writeStringField("topic", topic);
        json.writeNumberField("count", page.count());
        json.writeNumberField("anonymous", page.anonymous());
    }

    /** The {@code sub} of a member JSON the presence script wrote ({@code {"sub":"...",...}}). */
    private static String subjectOf(String member) {
        try (var parser = JSON.createParser(member)) {
            while (parser.nextToken() != null) {
                if ("sub".equals(parser.currentName()) && parser.nextToken() != null) {
                    return parser.getText();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("a member without sub");
    }
}
