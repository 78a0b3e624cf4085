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
    start_quiver 6395 9301 9302
    tool --target=quiver --transport="$transport" --ingest=http://127.0.0.1:9301 --edges=http://127.0.0.1:9302 \
        --subscribers="$SUBSCRIBERS" --topics="$TOPICS" --sources=2 --rates="$RATES" --duration="$DURATION" \
        --pids=edge=$EDGE_PID,ingest=$INGEST_PID,$BROKER=$REDIS_PID --max-seconds=900
    stop_all
done
say "results: $RESULTS"
