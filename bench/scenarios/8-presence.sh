#!/usr/bin/env bash
# Scenario 8, presence (issue #19): HOT members in one topic and REST more over 99 others (100 topics), held over
# two edges (a third stands by), one watcher per topic with presence=1. Reports join and leave latency (request
# written -> the watcher's join/leave), Redis commands/s and CPU at steady state, then during a reconnect storm: one
# edge is SIGKILLed and its members reconnect to the standby edge. Two tool processes, because one process holds at
# most ~19k sockets here.
source "$(dirname "$0")/common.sh"
HOT=${HOT:-10000}
REST=${REST:-10000}
RATE=${RATE:-1000}
STEADY=${STEADY:-20}
STORM=${STORM:-20}
# PRESENCE=off runs the same connections with presence switched off: the baseline for what presence costs.
PRESENCE=${PRESENCE:-on}
if [ "$PRESENCE" = on ]; then PRESENCE_ARGS=(-Dquiver.presence.topics='presence.*'); AWAIT=true; else PRESENCE_ARGS=(); AWAIT=false; fi
require_built
versions
say "scenario 8: presence $PRESENCE, $HOT members in one topic + $REST over 99 topics, two edges (+1 standby), steady $STEADY s, storm $STORM s"
start_redis 6398
EDGES=()
for port in 9511 9512 9513; do
    # shellcheck disable=SC2086
    start_service stream-edge "edge-$port" $port 6398 "${PRESENCE_ARGS[@]}" ${EDGE_JVM_ARGS:-}
    EDGES+=($SERVICE_PID)
done
EDGE_URLS=http://127.0.0.1:9511,http://127.0.0.1:9512,http://127.0.0.1:9513
RUN=$(date +%s | tail -c 6)
REST_TOPICS=$(seq 1 99 | sed "s/^/presence.$RUN./" | paste -sd,)
# shellcheck disable=SC2086
"$TOOL_JAVA" -Xmx"${TOOL_HEAP:-2g}" -cp "$CLASSPATH_BENCH" dev.quiver.bench.LoadTool --mode=presence --role=holder \
    --prefix=h --edges="$EDGE_URLS" --spread=2 --topic-list="$REST_TOPICS" --connections="$REST" --rate="$RATE" \
    --hold=$((STEADY + STORM + 120)) --await-joins=$AWAIT --max-seconds=900 ${TOOL_ARGS:-} >"$RUN_DIR/holder.out" 2>&1 &
HOLDER=$!
STARTED+=($HOLDER)
for _ in $(seq 1 300); do
    grep -q '^HELD' "$RUN_DIR/holder.out" && break
    sleep 1
done
grep -v '^HELD' "$RUN_DIR/holder.out" | tee -a "$RESULTS"
tool --mode=presence --role=driver --prefix=d --edges="$EDGE_URLS" --spread=2 --topic-list="presence.$RUN.0" \
    --connections="$HOT" --hot="$HOT" --rate="$RATE" --await-joins=$AWAIT --steady="$STEADY" --storm="$STORM" --leave-sample=500 \
    --redis-port=6398 --kill="${EDGES[1]}" --killed-name=edge-b \
    --pids=edge-a=${EDGES[0]},edge-b=${EDGES[1]},edge-c=${EDGES[2]},redis=$REDIS_PID --max-seconds=900
say "redis: $(redis-cli -p 6398 info commandstats | grep -E '^cmdstat' | cut -d, -f1 | tr '\r\n' '  ')"
for port in 9511 9513; do
    say "edge-$port: $(curl -s "http://127.0.0.1:$port/q/metrics" | grep -E '^quiver_presence_(writes_total|members |connections |resyncs_total|changes_total)' | tr '\n' ' ')"
done
say "results: $RESULTS"
