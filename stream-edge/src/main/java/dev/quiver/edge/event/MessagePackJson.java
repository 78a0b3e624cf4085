package dev.quiver.edge.event;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.CodingErrorAction;
import java.util.Map;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * The mapping between MessagePack and JSON (docs/protocol.md, "MessagePack"). Quiver stores JSON; a MessagePack
 * frame is turned into JSON text first and then takes exactly the path a JSON frame takes, so both subprotocols have
 * one validation. Going out, stored JSON becomes MessagePack with these rules:
 * <ul>
 * <li>an integer literal that fits int64 or uint64 becomes a MessagePack integer ({@code -0} becomes float64
 * {@code -0.0}, keeping its sign);</li>
 * <li>every other number becomes the nearest float64 (beyond float64's range: infinity, below it: zero). A subscriber
 * that needs the exact digits uses the JSON subprotocol;</li>
 * <li>strings, booleans, null, arrays and objects map one to one.</li>
 * </ul>
 * Coming in, MessagePack integers become JSON integers, float32 and float64 become the shortest decimal that reads back
 * as the same float (always with a fraction or exponent, so they go out as floats again), and strings, booleans,
 * nil, arrays and maps map one to one. NaN, infinities, binary and extension values and map keys that are not strings
 * have no JSON form and are refused. So anything JSON can express survives publish-then-receive over MessagePack.
 */
public final class MessagePackJson {

    /** The deepest nesting accepted, as for JSON (Jackson's default limit). */
    private static final int MAX_DEPTH = 1000;
    private static final JsonFactory JSON = new JsonFactory();
    private static final MessagePack.UnpackerConfig STRICT = new MessagePack.UnpackerConfig()
            .withActionOnMalformedString(CodingErrorAction.REPORT)
            .withActionOnUnmappableString(CodingErrorAction.REPORT);

    private MessagePackJson() {
    }

    /**
     * The JSON text of a frame that holds exactly one MessagePack value.
     *
     * @throws ProblemException {@link ProblemType#MALFORMED_JSON} naming what cannot be read or has no JSON form
     */
    public static String toJson(byte[] frame) {
        StringWriter out = new StringWriter(frame.length * 2 + 16);
        try (MessageUnpacker in = STRICT.newUnpacker(frame); JsonGenerator json = JSON.createGenerator(out)) {
            if (!in.hasNext()) {
                throw malformed("The frame is empty");
            }
            copy(in, json, 0);
            if (in.hasNext()) {
                throw malformed("A frame holds one MessagePack value; there is more after it");
            }
        } catch (MessagePackException | IOException e) {
            throw malformed("The frame is not valid MessagePack");
        }
        return out.toString();
    }

    private static void copy(MessageUnpacker in, JsonGenerator json, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw malformed("MessagePack nested deeper than " + MAX_DEPTH);
        }
        MessageFormat format = in.getNextFormat();
        switch (format.getValueType()) {
            case NIL -> {
                in.unpackNil();
                json.writeNull();
            }
            case BOOLEAN -> json.writeBoolean(in.unpackBoolean());
            case INTEGER -> {
                if (format == MessageFormat.UINT64) {
                    json.writeNumber(in.unpackBigInteger());
                } else {
                    json.writeNumber(in.unpackLong());
                }
            }
            case FLOAT -> {
                if (format == MessageFormat.FLOAT32) {
                    float value = in.unpackFloat();
                    requireFinite(Float.isFinite(value));
                    json.writeNumber(Float.toString(value));
                } else {
                    double value = in.unpackDouble();
                    requireFinite(Double.isFinite(value));
                    json.writeNumber(Double.toString(value));
                }
            }
            case STRING -> json.writeString(in.unpackString());
            case ARRAY -> {
                int size = in.unpackArrayHeader();
                json.writeStartArray();
                for (int i = 0; i < size; i++) {
                    copy(in, json, depth + 1);
                }
                json.writeEndArray();
            }
            case MAP -> {
                int size = in.unpackMapHeader();
                json.writeStartObject();
                for (int i = 0; i < size; i++) {
                    if (in.getNextFormat().getValueType() != ValueType.STRING) {
                        throw malformed("MessagePack map keys must be strings to have a JSON form");
                    }
                    json.writeFieldName(in.unpackString());
                    copy(in, json, depth + 1);
                }
                json.writeEndObject();
            }
            default -> throw malformed("MessagePack " + format.getValueType().name().toLowerCase()
                    + " values have no JSON form");
        }
    }

    private static void requireFinite(boolean finite) {
        if (!finite) {
            throw malformed("NaN and infinite floats have no JSON form");
        }
    }

    /** The MessagePack form of a JSON tree read by {@code EventJson} (numbers kept as their text) or built in code. */
    public static byte[] toMessagePack(JsonNode value) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            pack(value, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code value} to {@code out}. */
    public static void pack(JsonNode value, MessagePacker out) throws IOException {
        if (value.isObject()) {
            out.packMapHeader(value.size());
            for (Map.Entry<String, JsonNode> member : value.properties()) {
                out.packString(member.getKey());
                pack(member.getValue(), out);
            }
        } else if (value.isArray()) {
            out.packArrayHeader(value.size());
            for (JsonNode item : value) {
                pack(item, out);
            }
        } else if (value.isTextual()) {
            out.packString(value.textValue());
        } else if (value.isBoolean()) {
            out.packBoolean(value.booleanValue());
        } else if (value.isNull() || value.isMissingNode()) {
            out.packNil();
        } else if (value instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw) {
            packNumber(String.valueOf(raw.rawValue()), out);
        } else if (value.isIntegralNumber()) {
            packNumber(value.bigIntegerValue().toString(), out);
        } else if (value.isNumber()) {
            out.packDouble(value.doubleValue());
        } else {
            throw new IllegalArgumentException("no MessagePack form for " + value.getNodeType());
        }
    }

    /** A JSON number's text as MessagePack, by the rules of the class comment. */
    static void packNumber(String text, MessagePacker out) throws IOException {
        boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        if (!integral) {
            out.packDouble(Double.parseDouble(text));
            return;
        }
        if (text.equals("-0")) {
            out.packDouble(-0.0);
            return;
        }
        BigInteger integer = new BigInteger(text);
        if (integer.bitLength() <= 63) {
            out.packLong(integer.longValue());
        } else if (integer.signum() > 0 && integer.bitLength() <= 64) {
            out.packBigInteger(integer);
        } else {
            out.packDouble(integer.doubleValue());
        }
    }

    private static ProblemException malformed(String detail) {
        return new ProblemException(ProblemType.MALFORMED_JSON, detail);
    }
}
