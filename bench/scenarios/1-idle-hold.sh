#!/usr/bin/env bash
# Scenario 1, idle hold: 3 Quiver edges x CONNECTIONS idle subscribers each, then Nchan (3 workers) holding the same
# total; memory (PSS) per connection for each, SSE and WebSocket. EDGE_JVM_ARGS adds JVM arguments to the edges (JAVA
# picks their JDK): how the compact object headers of JDK 25 were measured. One load tool process per 18k connections: the tool
# is bound by the same 20000 open-files cap as the servers.
source "$(dirname "$0")/common.sh"
CONNECTIONS=${CONNECTIONS:-18000}
TRANSPORTS=${TRANSPORTS:-sse ws}
HOLD=${HOLD:-20}
TARGETS=${TARGETS:-quiver nchan}
require_built
versions
say "scenario 1: idle hold, 3 x $CONNECTIONS connections"

# hold TARGET TRANSPORT SERVER_URL... : one tool per server URL; prints the PSS of $MEASURE once all are connected.
hold() {
    local target=$1 transport=$2
    shift 2
    local tools=() n=0 url
    for url in "$@"; do
        n=$((n + 1))
        "$TOOL_JAVA" -Xmx2g -cp "$CLASSPATH_BENCH" dev.quiver.bench.LoadTool --target="$target" --transport="$transport" \
            --edges="$url" --subscribers="$CONNECTIONS" --sources=6 --connect-rate=3000 --hold="$HOLD" --rates=0 \
            --max-seconds=$((HOLD + 400)) ${TOOL_ARGS:-} >"$RUN_DIR/hold-$target-$transport-$n.txt" 2>&1 &
        tools+=($!)
    done
    local i
    for i in $(seq 1 700); do
        [ "$(cat "$RUN_DIR"/hold-"$target"-"$transport"-*.txt 2>/dev/null | grep -c 'subscribers on')" -ge $# ] && break
        sleep 0.5
    done
    sleep 5
    local held
    held=$(cat "$RUN_DIR"/hold-"$target"-"$transport"-*.txt | grep -o 'held [0-9]*' | awk '{s += $2} END {print s}')
    local after
    after=$(pss_mib "$MEASURE")
    say "$target $transport: held $held; server memory $after MiB (idle $IDLE MiB): $(awk -v a="$after" -v b="$IDLE" -v n="$held" 'BEGIN { printf "%.1f KiB", (a - b) * 1024 / n }') per connection"
    cat "$RUN_DIR"/hold-"$target"-"$transport"-*.txt >>"$RESULTS"
    wait "${tools[@]}" || true
}

# Fresh servers per transport: a JVM keeps the heap it grew, and the second transport would reuse it.
for transport in $TRANSPORTS; do
    if [[ " $TARGETS " == *" quiver "* ]]; then
        start_redis 6391
        EDGES=()
        for port in 9101 9102 9103; do
            # shellcheck disable=SC2086
            start_service stream-edge "edge-$port" $port 6391 ${EDGE_JVM_ARGS:-}
            EDGES+=($SERVICE_PID)
        done
        MEASURE=$(IFS=+; echo "${EDGES[*]}")
        IDLE=$(pss_mib "$MEASURE")
        hold quiver "$transport" http://127.0.0.1:9101 http://127.0.0.1:9102 http://127.0.0.1:9103
        stop_all
    fi
    if [[ " $TARGETS " == *" nchan "* ]]; then
        start_redis 6392
        start_nchan 9110 6392
        MEASURE="$NCHAN_MASTER+$NCHAN_WORKERS"
        IDLE=$(pss_mib "$MEASURE")
        hold nchan "$transport" http://127.0.0.1:9110 http://127.0.0.1:9110 http://127.0.0.1:9110
        stop_all
    fi
done
say "results: $RESULTS"
