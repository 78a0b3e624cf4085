#!/usr/bin/env bash
# Scenario 3, many topics: SUBSCRIBERS over TOPICS topics on one edge, publish rate (all topics together) ramped
# through RATES until p99 > 50 ms or an event is lost; SSE and WebSocket. EDGE_JVM_ARGS adds JVM arguments to the edge
# (-Dquiver.edge.live-source=xread for the reader before issue #17).
source "$(dirname "$0")/common.sh"
SUBSCRIBERS=${SUBSCRIBERS:-10000}
TOPICS=${TOPICS:-1000}
RATES=${RATES:-100,200,500,1000,2000,5000}
TRANSPORTS=${TRANSPORTS:-sse ws}
DURATION=${DURATION:-10}
require_built
versions
say "scenario 3: many topics, $SUBSCRIBERS subscribers over $TOPICS topics, rates $RATES events/s, $DURATION s each"
for transport in $TRANSPORTS; do
    start_redis 6395
    start_service event-ingest ingest 9301 6395
    INGEST_PID=$SERVICE_PID
    # shellcheck disable=SC2086
    start_service stream-edge edge 9302 6395 ${EDGE_JVM_ARGS:-}
    tool --target=quiver --transport="$transport" --ingest=http://127.0.0.1:9301 --edges=http://127.0.0.1:9302 \
        --subscribers="$SUBSCRIBERS" --topics="$TOPICS" --sources=2 --rates="$RATES" --duration="$DURATION" \
        --pids=edge=$SERVICE_PID,ingest=$INGEST_PID,redis=$REDIS_PID --max-seconds=900
    stop_all
done
say "results: $RESULTS"
