# Shared by the scenario scripts (source it): starts Redis, Quiver services and Nchan on loopback, runs the load
# tool, stops everything it started on exit. Nothing here listens beyond 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR=${QUIVER_BENCH_DIR:-$ROOT/bench/target/runs/$(basename "$0" .sh)-$(date +%Y%m%d-%H%M%S)}
RESULTS=$RUN_DIR/results.txt
JAVA=${JAVA:-java}
# The load tool's JDK, the services' by default: set it to compare the services' JDKs with the same tool.
TOOL_JAVA=${TOOL_JAVA:-$JAVA}
NGINX=${NGINX:-nginx}
NCHAN_MODULE=${NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
mkdir -p "$RUN_DIR"
STARTED=()

stop_all() {
    local pid
    for pid in "${STARTED[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
    done
    STARTED=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Prints and records a line of the report.
say() {
    echo "$*" | tee -a "$RESULTS"
}

require_built() {
    local module
    for module in event-ingest stream-edge; do
        if [ ! -f "$ROOT/$module/target/quarkus-app/quarkus-run.jar" ]; then
            echo "build first: mvn -B -q install -DskipTests (from $ROOT)" >&2
            exit 1
        fi
    done
    if [ ! -f "$ROOT/bench/target/classpath.txt" ]; then
        mvn -B -q -f "$ROOT/bench" dependency:build-classpath -Dmdep.outputFile="$ROOT/bench/target/classpath.txt"
    fi
    CLASSPATH_BENCH="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
}

# Waits (bounded) until a URL answers 2xx.
wait_http() {
    local url=$1 i
    for i in $(seq 1 120); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "not ready after 60 s: $url" >&2
    exit 1
}

# start_redis PORT: persistence off, the same for Quiver and Nchan.
start_redis() {
    redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --maxclients 10000 \
        >"$RUN_DIR/redis-$1.log" 2>&1 &
    STARTED+=($!)
    REDIS_PID=$!
    local i
    for i in $(seq 1 50); do
        redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "redis did not start on $1" >&2
    exit 1
}

# The edges' per-address limits are for browsers; one load tool on a few addresses needs them raised.
EDGE_LIMITS=(-Dquiver.edge.connect-rate.per-second=100000 -Dquiver.edge.connect-rate.burst=100000
    -Dquiver.edge.max-connections-per-client=20000)

# start_service MODULE NAME PORT REDIS_PORT [JVM args...]: sets SERVICE_PID. EDGE_JAR and INGEST_JAR run another
# build of stream-edge or event-ingest (a before/after comparison in one session).
start_service() {
    local module=$1 name=$2 port=$3 redis=$4 jar
    shift 4
    jar=$ROOT/$module/target/quarkus-app/quarkus-run.jar
    if [ "$module" = stream-edge ] && [ -n "${EDGE_JAR:-}" ]; then
        jar=$EDGE_JAR
    elif [ "$module" = event-ingest ] && [ -n "${INGEST_JAR:-}" ]; then
        jar=$INGEST_JAR
    fi
    "$JAVA" -Xmx"${SERVICE_HEAP:-1g}" -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
        -Dquarkus.redis.hosts=redis://127.0.0.1:"$redis" -Dquiver.auth.enabled=false -Dquiver.edge.pod-name="$name" \
        -Dquarkus.log.level=WARN "${EDGE_LIMITS[@]}" "$@" -jar "$jar" \
        >"$RUN_DIR/$name.log" 2>&1 &
    SERVICE_PID=$!
    STARTED+=($SERVICE_PID)
    wait_http "http://127.0.0.1:$port/q/health/ready"
}

# start_nats PORT: one nats-server with JetStream (its store in the run's directory), on loopback; sets REDIS_PID (the
# broker's pid, whichever broker it is: the scenarios report it as $BROKER).
start_nats() {
    mkdir -p "$RUN_DIR/nats-$1"
    nats-server -js -sd "$RUN_DIR/nats-$1" -a 127.0.0.1 -p "$1" >"$RUN_DIR/nats-$1.log" 2>&1 &
    REDIS_PID=$!
    STARTED+=($REDIS_PID)
    local i
    for i in $(seq 1 50); do
        (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nats-server did not start on $1" >&2
    exit 1
}

# The broker Quiver runs on in start_quiver: redis (the default) or nats (docs/nats.md), same ports.
BROKER=${BROKER:-redis}

# start_quiver BROKER_PORT INGEST_PORT EDGE_PORT: the broker ($BROKER), event-ingest (INGEST_JVM_ARGS) and one edge
# (EDGE_JVM_ARGS); sets REDIS_PID (the broker's), INGEST_PID and EDGE_PID.
start_quiver() {
    local broker_args=() redis_port=$1
    if [ "$BROKER" = nats ]; then
        start_nats "$1"
        broker_args=(-Dquiver.broker=nats -Dquiver.nats.url=nats://127.0.0.1:"$1")
        redis_port=1
    else
        start_redis "$1"
    fi
    # shellcheck disable=SC2086
    start_service event-ingest ingest "$2" "$redis_port" "${broker_args[@]}" ${INGEST_JVM_ARGS:-}
    INGEST_PID=$SERVICE_PID
    # shellcheck disable=SC2086
    start_service stream-edge edge "$3" "$redis_port" "${broker_args[@]}" ${EDGE_JVM_ARGS:-}
    EDGE_PID=$SERVICE_PID
}

# start_nchan PORT REDIS_PORT: nginx + Nchan from bench/nchan/nchan.conf; sets NCHAN_MASTER and NCHAN_WORKERS (a+b+c).
start_nchan() {
    local prefix=$RUN_DIR/nginx
    mkdir -p "$prefix/logs" "$prefix/tmp"
    sed -e "s|@PORT@|$1|g" -e "s|@REDIS_PORT@|$2|g" -e "s|@PREFIX@|$prefix|g" -e "s|@MODULE@|$NCHAN_MODULE|g" \
        "$ROOT/bench/nchan/nchan.conf" >"$prefix/nginx.conf"
    "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' >"$RUN_DIR/nginx.log" 2>&1 &
    NCHAN_MASTER=$!
    STARTED+=($NCHAN_MASTER)
    local i
    for i in $(seq 1 50); do
        if curl -s -o /dev/null "http://127.0.0.1:$1/nchan_stub_status"; then
            break
        fi
        sleep 0.1
    done
    sleep 1
    NCHAN_WORKERS=$(pgrep -P "$NCHAN_MASTER" | paste -sd+)
}

# tool ARGS...: the load tool, its report added to the results.
tool() {
    # shellcheck disable=SC2086 # TOOL_ARGS is a list of --name=value arguments added to every run
    "$TOOL_JAVA" -Xmx"${TOOL_HEAP:-2g}" -cp "$CLASSPATH_BENCH" dev.quiver.bench.LoadTool "$@" ${TOOL_ARGS:-} | tee -a "$RESULTS"
}

# pss_mib PID[+PID...]: proportional set size of a process or group, MiB.
pss_mib() {
    local total=0 pid kb
    for pid in ${1//+/ }; do
        kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
        total=$((total + kb))
    done
    awk -v kb="$total" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# redis_time PORT LABEL: what Redis did since the last CONFIG RESETSTAT: calls and microseconds of each command
# (commands run by scripts counted inside their script too), and the script time per XADD it ran.
redis_time() {
    local stats
    stats=$(redis-cli -p "$1" info commandstats | tr -d '\r' | grep '^cmdstat_')
    say "$2: redis $(echo "$stats" | awk -F'[:=,]' '{printf "%s %s calls %.1f us/call; ", substr($1, 9), $3, $7}')"
    say "$2: redis script time per XADD $(echo "$stats" | awk -F'[:=,]' '
        $1 == "cmdstat_evalsha" || $1 == "cmdstat_eval" { script += $5 }
        $1 == "cmdstat_xadd" { xadd += $3 }
        END { if (xadd > 0) printf "%.1f us (%d XADD)", script / xadd, xadd; else print "n/a" }')"
    redis-cli -p "$1" config resetstat >/dev/null
}

versions() {
    say "date: $(date -u +%FT%TZ)  commit: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo none)  edge: ${EDGE_JAR:-built from this tree}  ingest: ${INGEST_JAR:-built from this tree}"
    say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), open files $(ulimit -n)"
    say "java: $("$JAVA" -version 2>&1 | head -1)  redis: $(redis-server --version | awk '{print $3}')"
    if command -v "$NGINX" >/dev/null; then
        say "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')  nchan: $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo unknown)"
    fi
}
