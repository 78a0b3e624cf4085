#!/usr/bin/env bash
# Scenario 5, reconnect storm: CLIENTS SSE subscribers over 3 edges while events are published; one edge is killed
# (SIGKILL); its clients reconnect to the others with their Last-Event-ID. Time until all are live again; loss and
# duplicates over the whole run. CLIENTS is the total: after the kill the two survivors hold all of them, and a process
# holds at most ~19k sockets here.
source "$(dirname "$0")/common.sh"
CLIENTS=${CLIENTS:-18000}
TOPICS=${TOPICS:-100}
RATE=${RATE:-200}
DURATION=${DURATION:-40}
KILL_AFTER=${KILL_AFTER:-10}
require_built
versions
say "scenario 5: reconnect storm, $CLIENTS SSE clients on 3 edges, $RATE events/s over $TOPICS topics for $DURATION s, one edge killed after $KILL_AFTER s"
start_redis 6397
start_service event-ingest ingest 9501 6397
INGEST_PID=$SERVICE_PID
EDGES=()
for port in 9502 9503 9504; do
    # shellcheck disable=SC2086
    start_service stream-edge "edge-$port" $port 6397 ${EDGE_JVM_ARGS:-}
    EDGES+=($SERVICE_PID)
done
tool --target=quiver --transport=sse --ingest=http://127.0.0.1:9501 \
    --edges=http://127.0.0.1:9502,http://127.0.0.1:9503,http://127.0.0.1:9504 --subscribers="$CLIENTS" \
    --topics="$TOPICS" --sources=3 --rates="$RATE" --duration="$DURATION" \
    --kill="${EDGES[0]}" --kill-after="$KILL_AFTER" --settle=10 \
    --pids=edge-b=${EDGES[1]},edge-c=${EDGES[2]},ingest=$INGEST_PID --max-seconds=600
# The catch-up reads the storm cost Redis: events-after script calls (EVALSHA, with the publishes' appends) and meta
# reads (HMGET).
say "redis: $(redis-cli -p 6397 info commandstats | grep -E 'cmdstat_(evalsha|hmget|xadd):' | tr '\r\n' '  ')"
# Each append is one script call with one HMGET inside (single events): what is left are the edges' catch-up reads.
say "catch-up reads: $(redis-cli -p 6397 info commandstats | tr -d '\r' | awk -F'[:=,]' '
    { calls[$1] = $3 }
    END { printf "events-after %d, meta %d", calls["cmdstat_evalsha"] - calls["cmdstat_xadd"],
        calls["cmdstat_hmget"] - calls["cmdstat_xadd"] }')"
# What the survivors say they did: resumes replayed from the events they held, and catch-up reads they sent Redis.
for port in 9503 9504; do
    say "edge-$port: $(curl -s "http://127.0.0.1:$port/q/metrics" | grep -E '^quiver_edge_(recent_replays_total|redis_reads_total\{kind="replay"\})' | tr '\n' ' ')"
done
say "results: $RESULTS"
