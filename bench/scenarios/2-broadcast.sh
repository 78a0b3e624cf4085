#!/usr/bin/env bash
# Scenario 2, broadcast: SUBSCRIBERS on one topic of one server process (a Quiver edge; nginx with Nchan), publish
# rate ramped through RATES until p99 > 50 ms or an event is lost; SSE and WebSocket.
# EDGE_JVM_ARGS adds JVM arguments to the edge (for example a JFR recording, see docs/benchmarks.md).
source "$(dirname "$0")/common.sh"
SUBSCRIBERS=${SUBSCRIBERS:-10000}
RATES=${RATES:-1,2,5,10,20,50,100,200,500}
TRANSPORTS=${TRANSPORTS:-sse ws}
TARGETS=${TARGETS:-quiver nchan}
DURATION=${DURATION:-10}
require_built
versions
say "scenario 2: broadcast, $SUBSCRIBERS subscribers on one topic, rates $RATES events/s, $DURATION s each"

for target in $TARGETS; do
    for transport in $TRANSPORTS; do
        if [ "$target" = quiver ]; then
            start_quiver 6393 9201 9202
            tool --target=quiver --transport="$transport" --ingest=http://127.0.0.1:9201 \
                --edges=http://127.0.0.1:9202 --subscribers="$SUBSCRIBERS" --sources=2 --rates="$RATES" \
                --duration="$DURATION" --pids=edge=$EDGE_PID,ingest=$INGEST_PID,$BROKER=$REDIS_PID --max-seconds=900
        else
            start_redis 6394
            start_nchan 9210 6394
            tool --target=nchan --transport="$transport" --ingest=http://127.0.0.1:9210 \
                --edges=http://127.0.0.1:9210 --subscribers="$SUBSCRIBERS" --sources=2 --rates="$RATES" \
                --duration="$DURATION" --pids="nchan=$NCHAN_MASTER+$NCHAN_WORKERS,redis=$REDIS_PID" --max-seconds=900
        fi
        stop_all
    done
done
say "results: $RESULTS"
