package dev.quiver.contract.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * A Lua script of this package, run with {@code EVALSHA} and re-sent with {@code EVAL} when Redis does not know it
 * (after a restart or {@code SCRIPT FLUSH}).
 */
public final class LuaScript {

    /** Appends events to one topic: stream, state, key index and meta together (the only writer). */
    public static final LuaScript APPEND = load("append.lua");
    /** Reads one page of a topic's state with its cursor. */
    public static final LuaScript SNAPSHOT_PAGE = load("snapshot-page.lua");
    /** Reads one entity with its cursor. */
    public static final LuaScript ENTITY = load("entity.lua");
    /** Reads history after a position together with the retention facts. */
    public static final LuaScript EVENTS_AFTER = load("events-after.lua");
    /** Writes a pod's presence changes in one topic, or reads the topic's members (docs/presence.md). */
    public static final LuaScript PRESENCE = load("presence.lua");

    private final String text;
    private final String sha;

    private LuaScript(String text) {
        this.text = text;
        this.sha = sha1(text);
    }

    /** Loads a script that sits beside this class. */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    String text() {
        return text;
    }

    /** Runs the script. */
    public Uni<Response> run(Redis redis, List<String> keys, List<String> args) {
        return redis.send(request(true, keys, args))
                .onFailure(LuaScript::isNoScript).recoverWithUni(() -> redis.send(request(false, keys, args)));
    }

    /**
     * Runs the script and then {@code WAIT replicas timeout} on the same connection (one batch): the second reply is
     * how many replicas acknowledged this connection's writes so far.
     */
    public Uni<List<Response>> runThenWait(Redis redis, List<String> keys, List<String> args, int replicas,
            long timeoutMillis) {
        Request wait = Request.cmd(Command.WAIT).arg(replicas).arg(timeoutMillis);
        // A failed command fails the whole batch, its error prefixed with the command's index ("ERR [0] NOSCRIPT ...").
        return redis.batch(List.of(request(true, keys, args), wait))
                .onFailure(failure -> failure.getMessage() != null && failure.getMessage().contains("NOSCRIPT"))
                .recoverWithUni(() -> redis.batch(List.of(request(false, keys, args), wait)));
    }

    private Request request(boolean bySha, List<String> keys, List<String> args) {
        Request request = Request.cmd(bySha ? Command.EVALSHA : Command.EVAL).arg(bySha ? sha : text).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }

    static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }
}
