#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, combined broker+controller) on 127.0.0.1
# from the jars that pom.xml fetches. No Docker needed.
#
#   infra/kafka/kafka.sh fetch            download the broker jars (once)
#   infra/kafka/kafka.sh start            format storage if new, start in the background, wait until it answers
#   infra/kafka/kafka.sh stop             stop it cleanly (SIGTERM, then wait)
#   infra/kafka/kafka.sh status           exit 0 when it is running
#   infra/kafka/kafka.sh run              run in the foreground (used by the stack supervisor)
#
# Environment: KAFKA_PORT (9092; the controller listens on KAFKA_PORT+1),
#              KAFKA_DATA_DIR (<repo>/.run/kafka-$KAFKA_PORT), KAFKA_HEAP (512m).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port=$((port + 1))
data="${KAFKA_DATA_DIR:-$repo/.run/kafka-$port}"
heap="${KAFKA_HEAP:-512m}"
pidfile="$data/kafka.pid"
logfile="$data/kafka.log"

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch() {
  if [ -f "$here/lib/kafka_2.13-$(kafka_version).jar" ]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the broker jars: apt-get install maven"
  echo "kafka.sh: fetching Apache Kafka $(kafka_version) jars from Maven Central" >&2
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies >&2
}

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml"; }

java_bin() {
  command -v java >/dev/null || die "Java 17+ is needed to run the broker: apt-get install openjdk-17-jre-headless"
  echo java
}

write_config() {
  mkdir -p "$data/logs"
  cat > "$data/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/logs
# Topics are created explicitly by the project (libs/contracts), never by accident.
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.check.interval.ms=60000
CONF
}

format_if_new() {
  if [ -f "$data/logs/meta.properties" ]; then return 0; fi
  local id
  id="$("$(java_bin)" -cp "$here/lib/*" kafka.tools.StorageTool random-uuid)"
  "$(java_bin)" -cp "$here/lib/*" kafka.tools.StorageTool format -t "$id" -c "$data/server.properties" >/dev/null
}

java_cmd() {
  cmd=("$(java_bin)" "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$here/log4j2.properties" -cp "$here/lib/*" kafka.Kafka "$data/server.properties")
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until grep -q "Kafka Server started" "$logfile" 2>/dev/null && port_open; do
    running || { tail -n 40 "$logfile" >&2; die "broker exited during start-up (log: $logfile)"; }
    if [ $SECONDS -ge $deadline ]; then
      tail -n 40 "$logfile" >&2
      # Leave nothing behind: a broker that missed its start-up deadline is stopped.
      kill "$(cat "$pidfile")" 2>/dev/null || true
      die "broker did not answer on 127.0.0.1:$port in time"
    fi
    sleep 0.5
  done
}

case "${1:-}" in
  fetch) fetch ;;
  start)
    fetch
    if running; then echo "127.0.0.1:$port"; exit 0; fi
    port_open && die "port $port is taken by another process; set KAFKA_PORT"
    write_config
    format_if_new
    : > "$logfile"
    java_cmd
    nohup "${cmd[@]}" >>"$logfile" 2>&1 &
    echo $! > "$pidfile"
    wait_ready
    echo "127.0.0.1:$port"
    ;;
  run)
    fetch
    write_config
    format_if_new
    java_cmd
    exec "${cmd[@]}"
    ;;
  stop)
    if running; then
      pid="$(cat "$pidfile")"
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pidfile"
    ;;
  status) running ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
