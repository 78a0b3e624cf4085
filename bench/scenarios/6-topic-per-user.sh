#!/usr/bin/env bash
# Scenario 6, one topic per user (a notification feed): SUBSCRIBERS subscribers, each on a topic of its own, across
# two edges, publish rate (all topics together) ramped through RATES; SSE. Two load tool processes of SUBSCRIBERS/2
# each (one process holds at most ~19k sockets), each publishing half the rate to its own topics. For each MODE:
#   xread   - the edges' XREAD live reader (quiver.edge.live-source=xread, the reader before issue #17)
#   pubsub  - the Pub/Sub live reader (the default), one Redis
#   cluster - the Pub/Sub live reader on a 3-primary Redis Cluster (no replicas), Redis CPU per primary
#   nchan   - Nchan (3 workers) on one Redis, the same load
source "$(dirname "$0")/common.sh"
SUBSCRIBERS=${SUBSCRIBERS:-20000}
RATES=${RATES:-100,200,500,1000,2000}
MODES=${MODES:-xread pubsub cluster nchan}
DURATION=${DURATION:-10}
CONNECT_RATE=${CONNECT_RATE:-1000}
require_built
versions
say "scenario 6: one topic per user, $SUBSCRIBERS subscribers on $SUBSCRIBERS topics over two edges, connect rate" \
    "$CONNECT_RATE/s per tool, rates $RATES events/s, $DURATION s each, modes: $MODES"

# start_cluster PORT...: a Redis Cluster of primaries only, persistence off; sets CLUSTER_HOSTS and CLUSTER_PIDS.
start_cluster() {
    local port pids=() hosts=() nodes=()
    for port in "$@"; do
        mkdir -p "$RUN_DIR/cluster-$port"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --maxclients 10000 \
            --cluster-enabled yes --cluster-config-file nodes.conf --dir "$RUN_DIR/cluster-$port" \
            >"$RUN_DIR/redis-$port.log" 2>&1 &
        STARTED+=($!)
        pids+=($!)
        hosts+=("redis://127.0.0.1:$port")
        nodes+=("127.0.0.1:$port")
    done
    local i
    for port in "$@"; do
        for i in $(seq 1 50); do
            redis-cli -p "$port" ping >/dev/null 2>&1 && break
            sleep 0.1
        done
    done
    redis-cli --cluster create "${nodes[@]}" --cluster-yes >"$RUN_DIR/cluster-create.log" 2>&1
    for i in $(seq 1 100); do
        redis-cli -p "$1" cluster info | grep -q cluster_state:ok && break
        sleep 0.2
    done
    sleep 2
    CLUSTER_HOSTS=$(IFS=,; echo "${hosts[*]}")
    CLUSTER_PIDS=$(n=0; for p in "${pids[@]}"; do n=$((n + 1)); printf '%sredis%d=%s' "$([ $n -gt 1 ] && echo ,)" "$n" "$p"; done)
}

# load TARGET EDGES PIDS INGEST: the two tool processes, side by side; their reports go to the results.
load() {
    local target=$1 edges=$2 pids=$3 ingest=$4 tools=() n
    for n in 1 2; do
        "$TOOL_JAVA" -Xmx"${TOOL_HEAP:-2g}" -cp "$CLASSPATH_BENCH" dev.quiver.bench.LoadTool --target="$target" \
            --transport=sse --ingest="$ingest" --edges="$edges" --subscribers=$((SUBSCRIBERS / 2)) \
            --topics=$((SUBSCRIBERS / 2)) --sources=4 --connect-rate="$CONNECT_RATE" --max-pending=1000 \
            --rates="$(echo "$RATES" | tr ',' '\n' | awk '{printf "%s%d", (NR > 1 ? "," : ""), $1 / 2}')" \
            --duration="$DURATION" --pids="$pids" --max-seconds=900 >"$RUN_DIR/tool-$target-$MODE-$n.txt" 2>&1 &
        tools+=($!)
    done
    wait "${tools[@]}" || true
    for n in 1 2; do
        say "--- $MODE, tool $n"
        cat "$RUN_DIR/tool-$target-$MODE-$n.txt" | tee -a "$RESULTS"
    done
}

for MODE in $MODES; do
    case $MODE in
        xread | pubsub)
            start_redis 6396
            REDIS=$REDIS_PID
            start_service event-ingest ingest 9601 6396
            INGEST=$SERVICE_PID
            start_service stream-edge edge-a 9602 6396 -Dquiver.edge.live-source="$MODE" ${EDGE_JVM_ARGS:-}
            EDGE_A=$SERVICE_PID
            start_service stream-edge edge-b 9603 6396 -Dquiver.edge.live-source="$MODE" ${EDGE_JVM_ARGS:-}
            load quiver http://127.0.0.1:9602,http://127.0.0.1:9603 \
                "edge-a=$EDGE_A,edge-b=$SERVICE_PID,ingest=$INGEST,redis=$REDIS" http://127.0.0.1:9601
            say "$MODE redis: $(redis-cli -p 6396 info commandstats | grep -E 'cmdstat_(evalsha|ssubscribe|sunsubscribe|hmget|xread|xrange):' | tr '\r\n' '  ')"
            ;;
        cluster)
            start_cluster 6371 6372 6373
            CLUSTER=(-Dquarkus.redis.client-type=cluster -Dquarkus.redis.hosts="$CLUSTER_HOSTS")
            start_service event-ingest ingest 9601 6371 "${CLUSTER[@]}"
            INGEST=$SERVICE_PID
            start_service stream-edge edge-a 9602 6371 "${CLUSTER[@]}" ${EDGE_JVM_ARGS:-}
            EDGE_A=$SERVICE_PID
            start_service stream-edge edge-b 9603 6371 "${CLUSTER[@]}" ${EDGE_JVM_ARGS:-}
            load quiver http://127.0.0.1:9602,http://127.0.0.1:9603 \
                "edge-a=$EDGE_A,edge-b=$SERVICE_PID,ingest=$INGEST,$CLUSTER_PIDS" http://127.0.0.1:9601
            ;;
        nchan)
            start_redis 6396
            REDIS=$REDIS_PID
            start_nchan 9610 6396
            load nchan http://127.0.0.1:9610 "nchan=$NCHAN_MASTER+$NCHAN_WORKERS,redis=$REDIS" http://127.0.0.1:9610
            ;;
    esac
    stop_all
done
say "results: $RESULTS"
