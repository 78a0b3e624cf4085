#!/usr/bin/env bash
# Scenario 7, one fast stream: one producer, one subscriber (the token-streaming case), RATES events/s in turn, SSE
# and WebSocket, Quiver beside Nchan. What it shows is the fixed cost PER EVENT (read, decode, dispatch, write) that
# fan-out does not amortise: CPU per event of each process and the latency of every event, publish included.
# EDGE_JVM_ARGS and INGEST_JVM_ARGS add JVM arguments; EDGE_JAR and INGEST_JAR run other builds (before/after).
source "$(dirname "$0")/common.sh"
RATES=${RATES:-100,1000,5000}
TRANSPORTS=${TRANSPORTS:-sse ws}
TARGETS=${TARGETS:-quiver nchan}
DURATION=${DURATION:-10}
# JIT warm-up of Quiver's processes at the middle rate before the first counted step (these events count for loss
# too). Nchan has no JIT and drops events of a fast stream (see docs/benchmarks.md): it runs every step without a
# warm-up, and its ramp goes on past a step with loss so that every rate has a figure.
WARMUP=${WARMUP:-20}
WARMUP_RATE=${WARMUP_RATE:-1000}
require_built
versions
say "scenario 7: fast stream, 1 subscriber on 1 topic, rates $RATES events/s, $DURATION s each, warm-up $WARMUP s at $WARMUP_RATE/s"

for target in $TARGETS; do
    for transport in $TRANSPORTS; do
        if [ "$target" = quiver ]; then
            start_quiver 6398 9701 9702
            tool --target=quiver --transport="$transport" --ingest=http://127.0.0.1:9701 \
                --edges=http://127.0.0.1:9702 --subscribers=1 --sources=1 --rates="$RATES" --duration="$DURATION" \
                --warmup="$WARMUP" --warmup-rate="$WARMUP_RATE" --p99-limit=1000 \
                --pids=edge=$EDGE_PID,ingest=$INGEST_PID,$BROKER=$REDIS_PID --max-seconds=600
        else
            start_redis 6399
            start_nchan 9710 6399
            tool --target=nchan --transport="$transport" --ingest=http://127.0.0.1:9710 \
                --edges=http://127.0.0.1:9710 --subscribers=1 --sources=1 --rates="$RATES" --duration="$DURATION" \
                --warmup=0 --stop-on-loss=false --p99-limit=1000 \
                --pids="nchan=$NCHAN_MASTER+$NCHAN_WORKERS,redis=$REDIS_PID" --max-seconds=600
        fi
        stop_all
    done
done
say "results: $RESULTS"
