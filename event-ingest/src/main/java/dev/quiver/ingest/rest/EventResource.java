package dev.quiver.ingest.rest;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.Problems;
import dev.quiver.contract.security.Authenticator;
import dev.quiver.contract.security.Caller;
import dev.quiver.contract.security.Principal;
import dev.quiver.ingest.config.IngestConfig;
import dev.quiver.ingest.metrics.IngestMetrics;
import dev.quiver.ingest.metrics.IngestMetrics.Endpoint;
import dev.quiver.ingest.rest.dto.AcceptedBatch;
import dev.quiver.ingest.rest.dto.AcceptedEvent;
import dev.quiver.ingest.rest.dto.EventRequest;
import dev.quiver.ingest.service.Accepted;
import dev.quiver.ingest.service.CloudEvents;
import dev.quiver.ingest.service.IngestService;

/** The ingest HTTP API (docs/ingest.md). Bodies are read raw: parsing and validation are ours, not the framework's. */
@Path("/v1")
@Tag(name = "Events", description = "Publish events to topics")
public class EventResource {

    /** Path of the batch endpoint. */
    public static final String BATCH_PATH = "/v1/events";
    /** Response header set on idempotent replays. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final IngestService ingest;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final Authenticator auth;

    public EventResource(IngestService ingest, IngestMetrics metrics, IngestConfig config, Authenticator auth) {
        this.ingest = ingest;
        this.metrics = metrics;
        this.config = config;
        this.auth = auth;
    }

    @POST
    @Path("/topics/{topic}/events")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish one event", description = "Plain JSON, or a CloudEvent in structured or binary mode."
            + " Answers 202 once Redis acknowledged the write. With an Idempotency-Key (or a CloudEvent's source and"
            + " id), a retry within the dedup window returns the same id and writes nothing.")
    @RequestBody(content = {
            @Content(mediaType = IngestService.JSON, schema = @Schema(implementation = EventRequest.class)),
            @Content(mediaType = CloudEvents.STRUCTURED, schema = @Schema(type = SchemaType.OBJECT))})
    @APIResponse(responseCode = "202", description = "Stored", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AcceptedEvent.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, invalid event or topic", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "401", description = "Missing or invalid API key or token", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "403", description = "The key may not publish to this topic", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "429", description = "Publish rate limit exceeded; see Retry-After", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "Idempotency key reused for another event", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "413", description = "Body over the limit", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "415", description = "Unsupported media type", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "503", description = "Redis unavailable; see Retry-After", content = @Content(mediaType = Problems.MEDIA_TYPE))
    public Uni<Response> publish(
            @Parameter(description = "Topic name, matching [A-Za-z0-9][A-Za-z0-9._:-]{0,199}") @PathParam("topic") String topic,
            @Context HttpHeaders headers, @Context RoutingContext routing) {
        Timer.Sample sample = metrics.startRequest();
        // Credentials, topic and rate are checked before a byte of the body is read.
        Uni<byte[]> body = Uni.createFrom().deferred(() -> {
            Caller caller = caller(routing);
            Principal principal = auth.authenticate(headers.getHeaderString(HttpHeaders.AUTHORIZATION), null, caller);
            IngestService.checkTopic(topic);
            auth.checkPublish(principal, topic, caller);
            auth.chargePublish(principal, 1, caller);
            return BoundedBody.read(routing, config.maxBodySize().asLongValue());
        });
        return timed(BoundedBody.refusedEarly(routing, body)
                .flatMap(bytes -> ingest.publish(topic, headers::getHeaderString, bytes)), sample, Endpoint.SINGLE)
                .map(accepted -> replayed(Response.accepted(new AcceptedEvent(accepted.topic(), accepted.id())),
                        accepted.replayed()).build());
    }

    @POST
    @Path("/events")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a batch", description = "A JSON array of up to 1000 events, each with its topic, or a"
            + " CloudEvents batch (topic in the quivertopic extension). Every event is validated before anything is"
            + " written; a problem names the failing item's index. Events of one topic are written atomically and in"
            + " order.")
    @RequestBody(content = {
            @Content(mediaType = IngestService.JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = EventRequest.class)),
            @Content(mediaType = CloudEvents.BATCH, schema = @Schema(type = SchemaType.ARRAY))})
    @APIResponse(responseCode = "202", description = "Stored; ids in request order", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AcceptedBatch.class)))
    @APIResponse(responseCode = "400", description = "An item is invalid (see index)", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "401", description = "Missing or invalid API key or token", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "403", description = "An item's topic is not allowed for the key (see index)", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "429", description = "Publish rate limit exceeded; see Retry-After", content = @Content(mediaType = Problems.MEDIA_TYPE))
    @APIResponse(responseCode = "503", description = "Redis unavailable; see Retry-After", content = @Content(mediaType = Problems.MEDIA_TYPE))
    public Uni<Response> publishBatch(@Context HttpHeaders headers, @Context RoutingContext routing) {
        Timer.Sample sample = metrics.startRequest();
        Uni<List<Accepted>> work = Uni.createFrom().deferred(() -> {
            Caller caller = caller(routing);
            Principal principal = auth.authenticate(headers.getHeaderString(HttpHeaders.AUTHORIZATION), null, caller);
            // Whoever may publish nothing, or has an empty bucket, is refused before the body is read. The topics
            // of a batch are known only once it is parsed: IngestService has each checked before writing any.
            auth.checkPublishAnything(principal, caller);
            auth.chargePublish(principal, 0, caller);
            return BoundedBody.read(routing, config.maxBatchBodySize().asLongValue())
                    .flatMap(body -> ingest.publishBatch(headers::getHeaderString, body,
                            topics -> guard(principal, topics, caller)));
        });
        return timed(BoundedBody.refusedEarly(routing, work), sample, Endpoint.BATCH)
                .map(accepted -> {
                    List<AcceptedEvent> events = accepted.stream().map(a -> new AcceptedEvent(a.topic(), a.id()))
                            .toList();
                    boolean allReplayed = accepted.stream().allMatch(Accepted::replayed);
                    return replayed(Response.accepted(new AcceptedBatch(events)), allReplayed).build();
                });
    }

    private void guard(Principal principal, List<String> topics, Caller caller) {
        for (int i = 0; i < topics.size(); i++) {
            try {
                auth.checkPublish(principal, topics.get(i), caller);
            } catch (ProblemException e) {
                throw e.with("index", i);
            }
        }
        auth.chargePublish(principal, topics.size(), caller);
    }

    private static Caller caller(RoutingContext routing) {
        return new Caller(routing.request().remoteAddress() == null ? "-" : routing.request().remoteAddress().host(),
                "http", routing.normalizedPath());
    }

    private <T> Uni<T> timed(Uni<T> work, Timer.Sample sample, Endpoint endpoint) {
        return work.onItemOrFailure().invoke((item, failure) -> metrics.endRequest(sample, endpoint,
                failure == null ? 202 : failure instanceof ProblemException p ? p.type().status() : 500));
    }

    private static Response.ResponseBuilder replayed(Response.ResponseBuilder response, boolean replayed) {
        return replayed ? response.header(REPLAYED_HEADER, "true") : response;
    }
}
