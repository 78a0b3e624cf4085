package dev.quiver.contract.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One pod's presence in one topic as it publishes it on NATS (docs/nats.md, "Presence"): everything the pod holds
 * there, each time, so a record replaces the one before it and a lost one is repaired by the next.
 *
 * @param version grows with every record of the pod (a process is a new pod): an older record never replaces a newer
 * @param anonymous the pod's connections without a subject
 * @param members the subjects it holds, each once
 */
public record PresenceRecord(long version, int anonymous, List<Member> members) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** As Redis's presence script writes it. */
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * One member as the pod holds it.
     *
     * @param sub its subject
     * @param info its {@code quiver.info} JSON object (compact), or {@code null}
     * @param since when its first connection on the pod arrived, ISO 8601 UTC with milliseconds
     */
    public record Member(String sub, String info, String since) {

        /** The member's public JSON, as a join and the member list carry it: {@code sub}, {@code info}, {@code since}. */
        public String json() {
            StringBuilder json = new StringBuilder(64).append("{\"sub\":").append(quote(sub));
            if (info != null) {
                json.append(",\"info\":").append(info);
            }
            return json.append(",\"since\":\"").append(since).append("\"}").toString();
        }

        /** What a leave carries: the subject alone. */
        public String leaveJson() {
            return "{\"sub\":" + quote(sub) + "}";
        }
    }

    public PresenceRecord {
        members = List.copyOf(members);
    }

    /** {@code millis} as a member's {@code since}. */
    public static String since(long millis) {
        return SINCE.format(Instant.ofEpochMilli(millis));
    }

    /** {@code {"v":..,"a":..,"m":[member, ...]}}. */
    public byte[] encode() {
        StringBuilder json = new StringBuilder(32 + members.size() * 48).append("{\"v\":").append(version)
                .append(",\"a\":").append(anonymous).append(",\"m\":[");
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(members.get(i).json());
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a record.
     *
     * @throws IllegalArgumentException for anything {@link #encode()} does not write
     */
    public static PresenceRecord decode(byte[] data) {
        try {
            JsonNode root = MAPPER.readTree(data);
            if (root == null || !root.path("v").canConvertToLong() || !root.path("a").canConvertToInt()
                    || !root.path("m").isArray()) {
                throw new IllegalArgumentException("not a presence record");
            }
            List<Member> members = new ArrayList<>(root.path("m").size());
            for (JsonNode member : root.path("m")) {
                if (!member.path("sub").isTextual() || !member.path("since").isTextual()) {
                    throw new IllegalArgumentException("not a presence member: " + member);
                }
                JsonNode info = member.get("info");
                members.add(new Member(member.path("sub").asText(), info == null || info.isNull()
                        ? null
                        : MAPPER.writeValueAsString(info), member.path("since").asText()));
            }
            return new PresenceRecord(root.path("v").asLong(), root.path("a").asInt(), members);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a presence record: " + e.getMessage(), e);
        }
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}
