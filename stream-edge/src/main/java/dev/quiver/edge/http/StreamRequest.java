package dev.quiver.edge.http;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import io.vertx.ext.web.RoutingContext;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.Topics;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * The topics and starting positions of a stream or poll request (docs/protocol.md, "Cursors"). Positions come from,
 * in order: a composite cursor ({@code Last-Event-ID}, {@code lastEventId}, or the poll's {@code cursor}), else the
 * {@code since} parameters, else nothing (live from now).
 *
 * @param topics the topics, sorted, without duplicates
 * @param positions the requested position per topic; absent topics start live
 * @param presence whether the client asked for its topics' joins and leaves ({@code presence=1})
 */
public record StreamRequest(List<String> topics, SortedMap<String, TopicPosition> positions, boolean presence) {

    /** Parses a request; throws a 400 problem when it is malformed. */
    public static StreamRequest parse(RoutingContext context, int maxTopics, List<String> compositeSources) {
        TreeSet<String> names = new TreeSet<>(context.queryParam("topic"));
        if (names.isEmpty()) {
            throw invalid(ProblemType.INVALID_REQUEST, "At least one topic parameter is required", "query:topic");
        }
        if (names.size() > maxTopics) {
            throw invalid(ProblemType.INVALID_REQUEST, "At most " + maxTopics + " topics per connection",
                    "query:topic");
        }
        for (String name : names) {
            if (!Topics.isValid(name)) {
                throw invalid(ProblemType.INVALID_TOPIC, "Topic names match " + Topics.PATTERN, "query:topic");
            }
        }
        List<String> topics = List.copyOf(names);
        boolean presence = flag(context, "presence");

        for (String source : compositeSources) {
            String value = source.startsWith("header:")
                    ? context.request().getHeader(source.substring(7))
                    : first(context.queryParam(source.substring(6)));
            if (value != null && !value.isEmpty()) {
                try {
                    return new StreamRequest(topics, CompositeCursor.decode(value, topics), presence);
                } catch (IllegalArgumentException e) {
                    throw invalid(ProblemType.INVALID_CURSOR, "Invalid cursor: " + e.getMessage(), source);
                }
            }
        }
        return new StreamRequest(topics, since(context.queryParam("since"), topics), presence);
    }

    /** {@code 1}/{@code true} or {@code 0}/{@code false}; absent is false. */
    private static boolean flag(RoutingContext context, String name) {
        String value = first(context.queryParam(name));
        if (value == null || value.equals("0") || value.equals("false")) {
            return false;
        }
        if (value.equals("1") || value.equals("true")) {
            return true;
        }
        throw invalid(ProblemType.INVALID_REQUEST, name + " is 1 or 0", "query:" + name);
    }

    private static SortedMap<String, TopicPosition> since(List<String> values, List<String> topics) {
        SortedMap<String, TopicPosition> positions = new TreeMap<>();
        if (values.isEmpty()) {
            return positions;
        }
        try {
            if (values.size() == 1 && values.get(0).indexOf('.') == 8 && values.get(0).indexOf('@') < 0) {
                return CompositeCursor.decode(values.get(0), topics);
            }
            for (String value : values) {
                int at = value.indexOf('@');
                if (at < 0) {
                    if (values.size() != 1 || topics.size() != 1) {
                        throw new IllegalArgumentException(
                                "with several topics, each since names its topic: since=<topic>@<cursor>");
                    }
                    positions.put(topics.get(0), position(value));
                } else {
                    String topic = value.substring(0, at);
                    if (!topics.contains(topic)) {
                        throw new IllegalArgumentException("since names a topic that is not subscribed: " + topic);
                    }
                    positions.put(topic, position(value.substring(at + 1)));
                }
            }
            return positions;
        } catch (IllegalArgumentException e) {
            throw invalid(ProblemType.INVALID_CURSOR, "Invalid since: " + e.getMessage(), "query:since");
        }
    }

    private static TopicPosition position(String cursor) {
        return TopicPosition.parseCursor(cursor);
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    private static ProblemException invalid(ProblemType type, String detail, String field) {
        return new ProblemException(type, detail).with("field", field);
    }
}
