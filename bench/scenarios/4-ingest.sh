#!/usr/bin/env bash
# Scenario 4, ingest: single-event and batch POSTs against event-ingest, and redis-benchmark XADD on the same Redis
# (unpipelined, and pipelined as deep as the batch) as the baseline of what Redis alone does here; then one
# publisher's rate-paced single POSTs (PACED_RATE a second), for the CPU one request costs.
# INGEST_JVM_ARGS adds JVM arguments to event-ingest (a JFR recording, for example).
source "$(dirname "$0")/common.sh"
DURATION=${DURATION:-15}
CONCURRENCY=${CONCURRENCY:-64}
BATCH=${BATCH:-100}
PACED_RATE=${PACED_RATE:-1000}
# The first run warms the JVM up: measured from a cold start, singles ran at a third of their steady rate (the JIT
# compiles on the two cores the load shares; docs/benchmarks.md, issue #18 goal 4).
WARMUP=${WARMUP:-30}
require_built
versions
say "scenario 4: ingest, $DURATION s per run, $CONCURRENCY requests in flight (batches: 8 in flight of $BATCH)"
if [ "$BROKER" = nats ]; then
    # The same runs on NATS JetStream (docs/nats.md); the Redis-only lines (command stats, redis-benchmark) are skipped.
    start_nats 6396
    # shellcheck disable=SC2086
    start_service event-ingest ingest 9401 1 -Dquiver.broker=nats -Dquiver.nats.url=nats://127.0.0.1:6396 \
        ${INGEST_JVM_ARGS:-}
else
    start_redis 6396
    # shellcheck disable=SC2086
    start_service event-ingest ingest 9401 6396 ${INGEST_JVM_ARGS:-}
fi
INGEST=$SERVICE_PID
# ingest_run LABEL ARGS...: one run, with the CPU of ingest, Redis and the tool, and what Redis did (warm-up included).
ingest_run() {
    local label=$1
    shift
    [ "$BROKER" = nats ] || redis-cli -p 6396 config resetstat >/dev/null
    tool --mode=ingest --ingest=http://127.0.0.1:9401 --duration="$DURATION" --max-seconds=300 \
        --pids=ingest=$INGEST,$BROKER=$REDIS_PID "$@"
    [ "$BROKER" = nats ] || redis_time 6396 "$label"
}
ingest_run singles --batch=1 --concurrency="$CONCURRENCY" --warmup="$WARMUP"
ingest_run batches --batch="$BATCH" --concurrency=8
ingest_run batches-10-topics --batch="$BATCH" --concurrency=8 --topics=10
ingest_run paced --batch=1 --concurrency=16 --rate="$PACED_RATE"
if [ "$BROKER" = nats ]; then
    say "results: $RESULTS"
    exit 0
fi
say "redis-benchmark XADD, $CONCURRENCY clients, unpipelined: $(redis-benchmark -p 6396 -c "$CONCURRENCY" -n 1000000 -q \
    XADD bench:xadd '*' seq 1 sent 1 | tr '\r' '\n' | grep 'requests per second' | tail -1)"
say "redis-benchmark XADD, 8 clients, pipeline $BATCH: $(redis-benchmark -p 6396 -c 8 -P "$BATCH" -n 5000000 -q \
    XADD bench:xadd '*' seq 1 sent 1 | tr '\r' '\n' | grep 'requests per second' | tail -1)"
say "results: $RESULTS"
