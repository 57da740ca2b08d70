#!/usr/bin/env bash
# Berth's standalone single-node KRaft broker, run from the Maven Central jars listed in
# infra/kafka/pom.xml (no Kafka distribution, no container).
#
#   infra/kafka/kafka.sh up|down|status
#
# See infra/README.md for ports, variables and the state layout.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STATE_DIR=${BERTH_STATE_DIR:-$ROOT/.berth}
HOST=127.0.0.1
KAFKA_PORT=${BERTH_KAFKA_PORT:-19092}
CONTROLLER_PORT=${BERTH_KAFKA_CONTROLLER_PORT:-19093}
START_TIMEOUT=90
STOP_TIMEOUT=60

die() { echo "kafka: $*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
line() { printf '%-9s %s\n' kafka "$1"; }

for p in "$KAFKA_PORT" "$CONTROLLER_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || [ "$p" -lt 1 ] || [ "$p" -gt 65535 ]; then die "invalid port: $p"; fi
done

mkdir -p "$STATE_DIR/kafka"
KDIR=$(cd "$STATE_DIR/kafka" && pwd)
LIB=$KDIR/lib
DATA=$KDIR/data
PROPS=$KDIR/server.properties
PIDFILE=$KDIR/kafka.pid
PORTFILE=$KDIR/kafka.port
LOG=$KDIR/kafka.log

port_open() { timeout 2 bash -c ": <>/dev/tcp/$HOST/$1" 2>/dev/null; }
port_closed() { ! port_open "$1"; }
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
# the pid file is trusted only while it names a live kafka.Kafka JVM
our_pid() {
  local pid
  [ -s "$PIDFILE" ] || return 1
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [ -n "$pid" ] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka ' || return 1
  echo "$pid"
}
show_log() {
  [ -f "$1" ] || return 0
  echo "---- last lines of $1" >&2
  tail -n 30 "$1" >&2
  echo "----" >&2
}

# JAVA_HOME first, then the newest JDK >= 21 under /usr/lib/jvm (by the version in the
# folder name: java-21-openjdk-amd64, temurin-25-jdk-amd64, java-1.8.0-...), then PATH.
pick_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
    echo "$JAVA_HOME/bin/java"
    return
  fi
  local best='' best_v=0 d v
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] || continue
    v=$(sed -nE 's/^[^0-9]*(1\.)?([0-9]+).*/\2/p' <<<"${d##*/}")
    [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ] && { best=$d/bin/java; best_v=$v; }
  done
  if [ -n "$best" ]; then echo "$best"; else echo java; fi
}

fetch_jars() {
  local stamp want t0
  want=$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)
  stamp=$LIB/.pom.sha256
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  command -v "${MVN:-mvn}" >/dev/null || die "Maven ('mvn') is needed once to fetch the broker jars"
  echo "kafka: copying the broker jars from Maven into $LIB ..."
  t0=$(now_ms)
  rm -rf "$LIB.tmp"
  if ! "${MVN:-mvn}" -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB.tmp" -DincludeScope=runtime >"$KDIR/mvn.log" 2>&1; then
    show_log "$KDIR/mvn.log"
    die "mvn dependency:copy-dependencies failed"
  fi
  echo "$want" >"$LIB.tmp/.pom.sha256"
  rm -rf "$LIB"
  mv "$LIB.tmp" "$LIB"
  echo "kafka: $(find "$LIB" -name '*.jar' | wc -l) jars in $(since "$t0")"
}

render_props() {
  local text
  text=$(<"$HERE/server.properties.template")
  text=${text//@KAFKA_PORT@/$KAFKA_PORT}
  text=${text//@CONTROLLER_PORT@/$CONTROLLER_PORT}
  text=${text//@LOG_DIRS@/$DATA}
  printf '%s\n' "$text" >"$PROPS.new"
  if [ -f "$DATA/meta.properties" ] && [ -f "$KDIR/formatted.properties" ] &&
    ! cmp -s "$PROPS.new" "$KDIR/formatted.properties"; then
    echo "kafka: note: the ports differ from the ones the storage was formatted with;" >&2
    echo "kafka: if the broker does not come up, stop it and remove $DATA to start from empty storage" >&2
  fi
  mv "$PROPS.new" "$PROPS"
}

random_cluster_id() {
  local id
  # 16 random bytes in URL-safe base64 without padding, like kafka-storage random-uuid;
  # an id starting with '-' would read as an option, so draw again.
  while :; do
    id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    [[ $id == -* ]] || break
  done
  echo "$id"
}

up() {
  local t0 java pid cid
  t0=$(now_ms)
  if pid=$(our_pid); then
    if port_open "$KAFKA_PORT"; then
      line "$HOST:$KAFKA_PORT  (already running)"
      return 0
    fi
    die "the broker of $KDIR already runs (pid $pid) but not on port $KAFKA_PORT; run '$0 down' first"
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process"
  port_open "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is taken by another process"
  rm -f "$PIDFILE" "$PORTFILE"

  fetch_jars
  java=$(pick_java)
  local java_v jvm_opts=()
  java_v=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p') || true
  [ -n "$java_v" ] || die "no usable java ($java); set JAVA_HOME"
  # JDK 23+ warns when Kafka frees buffers through sun.misc.Unsafe; it is expected here.
  if [[ $java_v =~ ^[0-9]+$ ]] && [ "$java_v" -ge 23 ]; then jvm_opts+=(--sun-misc-unsafe-memory-access=allow); fi
  mkdir -p "$DATA"
  render_props
  local logcfg=-Dlog4j2.configurationFile=$HERE/log4j2.properties

  if [ ! -f "$DATA/meta.properties" ]; then
    cid=$(random_cluster_id)
    "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$logcfg" -cp "$LIB/*" \
      kafka.tools.StorageTool format --standalone -t "$cid" -c "$PROPS" >"$KDIR/format.log" 2>&1 ||
      { show_log "$KDIR/format.log"; die "storage format failed"; }
    cp "$PROPS" "$KDIR/formatted.properties"
  fi

  echo "$KAFKA_PORT" >"$PORTFILE"
  # The wrapper records its own pid, then becomes the JVM: the pid file names the broker.
  # shellcheck disable=SC2016,SC2086
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true "${jvm_opts[@]}" ${BERTH_KAFKA_JVM_OPTS:-} \
    "$logcfg" -cp "$LIB/*" kafka.Kafka "$PROPS" >"$LOG" 2>&1 </dev/null &

  local end=$((SECONDS + START_TIMEOUT))
  until [ -s "$PIDFILE" ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done
  pid=$(tr -dc '0-9' 2>/dev/null <"$PIDFILE" || true)
  until port_open "$KAFKA_PORT"; do
    if [ -z "$pid" ] || ! alive "$pid" || [ "$SECONDS" -ge "$end" ]; then
      show_log "$LOG"
      [ -n "$pid" ] && alive "$pid" && kill "$pid" 2>/dev/null
      rm -f "$PIDFILE" "$PORTFILE"
      die "broker exited or did not open port $KAFKA_PORT within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  line "$HOST:$KAFKA_PORT  (started in $(since "$t0"), java: $java)"
}

down() {
  local pid port
  port=$(tr -dc '0-9' 2>/dev/null <"$PORTFILE" || true)
  port=${port:-$KAFKA_PORT}
  if ! pid=$(our_pid); then
    rm -f "$PIDFILE" "$PORTFILE"
    if port_open "$port"; then line "running on $port, but not started by this script: left alone"
    else line "not running"; fi
    return 0
  fi
  kill -TERM "$pid"
  local end=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" || port_open "$port"; do
    [ "$SECONDS" -lt "$end" ] || die "pid $pid still running or port $port still open after ${STOP_TIMEOUT}s"
    sleep 0.2
  done
  rm -f "$PIDFILE" "$PORTFILE"
  line "stopped"
}

status() {
  local pid port=$KAFKA_PORT
  if pid=$(our_pid); then
    port=$(tr -dc '0-9' 2>/dev/null <"$PORTFILE" || true)
    port=${port:-$KAFKA_PORT}
    if port_open "$port"; then line "up    $HOST:$port  (pid $pid)"; return 0; fi
    line "down  $HOST:$port  (pid $pid runs but the port is closed)"
    return 3
  fi
  if port_open "$port"; then line "up    $HOST:$port  (not started by this script)"; return 0; fi
  line "down  $HOST:$port"
  return 3
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
