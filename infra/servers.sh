#!/usr/bin/env bash
# Berth's local backing servers: PostgreSQL, Redis and etcd as plain background
# processes on loopback, with their data in the project's state directory.
#
#   infra/servers.sh up|down|status [pg|redis|etcd ...]      (default: all three)
#
# See infra/README.md for ports, variables and the state layout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE_DIR=${BERTH_STATE_DIR:-$ROOT/.berth}
HOST=127.0.0.1
PG_PORT=${BERTH_PG_PORT:-15432}
REDIS_PORT=${BERTH_REDIS_PORT:-16379}
ETCD_PORT=${BERTH_ETCD_PORT:-12379}
ETCD_PEER_PORT=${BERTH_ETCD_PEER_PORT:-12380}
PG_BIN=/usr/lib/postgresql/15/bin
PG_DB=berth
TIMEOUT=30

usage() {
  echo "usage: $0 up|down|status [pg|redis|etcd ...]" >&2
  exit 2
}

die() { echo "servers: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }

for p in "$PG_PORT" "$REDIS_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || [ "$p" -lt 1 ] || [ "$p" -gt 65535 ]; then die "invalid port: $p"; fi
done

# Absolute state path (postgres needs absolute paths for its data and socket directories).
state_path() {
  mkdir -p "$STATE_DIR/servers"
  STATE_DIR=$(cd "$STATE_DIR" && pwd)
  SRV=$STATE_DIR/servers
}
SRV=$STATE_DIR/servers

address() {
  case $1 in
    pg) echo "postgresql://postgres@$HOST:$PG_PORT/$PG_DB" ;;
    redis) echo "redis://$HOST:$REDIS_PORT" ;;
    etcd) echo "http://$HOST:$ETCD_PORT" ;;
  esac
}
label() { case $1 in pg) echo postgres ;; *) echo "$1" ;; esac; }
line() { printf '%-9s %s\n' "$(label "$1")" "$2"; }

# ---------------------------------------------------------------- probes

port_open() { timeout 2 bash -c ": <>/dev/tcp/$HOST/$1" 2>/dev/null; }

answers() {
  case $1 in
    pg) [ -x "$PG_BIN/pg_isready" ] && "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -t 2 ;;
    redis) command -v redis-cli >/dev/null &&
      [ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] ;;
    etcd) command -v etcdctl >/dev/null && port_open "$ETCD_PORT" &&
      ETCDCTL_API=3 timeout 5 etcdctl --endpoints="http://$HOST:$ETCD_PORT" \
        --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1 ;;
  esac
}

# A pid is ours only if the process is alive (not a zombie) and its command line
# still names the program we started; a recycled pid is never signalled.
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
owns() { alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"; }
pid_from() { [ -s "$1" ] && tr -dc '0-9' <"$1"; }

# refuse_second NAME PIDFILE PROGRAM: one server per state directory; a live pid file
# means ours already runs (on other ports, since it did not answer on the current ones).
refuse_second() {
  local pid
  pid=$(pid_from "$2" || true)
  if [ -n "$pid" ] && owns "$pid" "$3"; then
    die "$1: the server of $(dirname "$2") already runs (pid $pid) but not on the configured ports; run '$0 down $1' first"
  fi
  rm -f "$2"
}

# wait_until SECONDS PID|"" CHECK...: poll CHECK until it succeeds; give up when the
# deadline passes or, if a pid is given, as soon as that process is gone.
wait_until() {
  local end=$((SECONDS + $1)) pid=$2
  shift 2
  until "$@"; do
    [ -n "$pid" ] && ! alive "$pid" && return 1
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.1
  done
}
port_closed() { ! port_open "$1"; }

show_log() {
  [ -f "$1" ] || return 0
  echo "---- last lines of $1" >&2
  tail -n 20 "$1" >&2
  echo "----" >&2
}

# ---------------------------------------------------------------- packages

APT_UPDATED=
ensure_packages() {
  local pkgs=() s
  for s in "$@"; do
    case $s in
      pg)
        for b in postgres initdb pg_ctl pg_isready psql createdb; do
          [ -x "$PG_BIN/$b" ] || { pkgs+=(postgresql); break; }
        done ;;
      redis)
        command -v redis-server >/dev/null && command -v redis-cli >/dev/null || pkgs+=(redis-server) ;;
      etcd)
        command -v etcd >/dev/null || pkgs+=(etcd-server)
        command -v etcdctl >/dev/null || pkgs+=(etcd-client) ;;
    esac
  done
  [ ${#pkgs[@]} -gt 0 ] || return 0
  if ! is_root; then
    die "missing Debian package(s): ${pkgs[*]} -- install them as root: apt-get install --no-install-recommends ${pkgs[*]}"
  fi
  echo "installing ${pkgs[*]} ..."
  local t0
  t0=$(now_ms)
  if [ -z "$APT_UPDATED" ]; then
    apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
  echo "installed ${pkgs[*]} in $(since "$t0")"
}

# ---------------------------------------------------------------- postgres

as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running_here() { [ -f "$SRV/pg/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$SRV/pg/data" status >/dev/null 2>&1; }

pg_ensure_db() {
  local found
  found=$("$PG_BIN/psql" -X -q -t -A -h "$HOST" -p "$PG_PORT" -U postgres -d postgres \
    -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") || die "postgres: cannot query pg_database"
  if [ "$found" != 1 ]; then
    "$PG_BIN/createdb" -h "$HOST" -p "$PG_PORT" -U postgres "$PG_DB" || die "postgres: createdb $PG_DB failed"
  fi
}

up_pg() {
  local dir=$SRV/pg data=$SRV/pg/data log=$SRV/pg/postgres.log t0
  t0=$(now_ms)
  if answers pg; then
    (pg_ensure_db) || echo "postgres: could not check database $PG_DB on the running server" >&2
    line pg "$(address pg)  (already running)"
    return 0
  fi
  port_open "$PG_PORT" && die "postgres: port $PG_PORT is taken by something that is not PostgreSQL"
  if pg_running_here; then
    die "postgres: the server of $data runs but does not answer on port $PG_PORT (port changed?); run '$0 down pg' first"
  fi

  local sock=$dir/.s.PGSQL.$PG_PORT
  [ ${#sock} -lt 100 ] || die "postgres: socket path too long (${#sock} chars): $sock -- set BERTH_STATE_DIR to a shorter path"

  mkdir -p "$dir"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "postgres: no 'postgres' user (is the postgresql package installed?)"
    chmod a+x "$STATE_DIR" "$SRV"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "postgres: user postgres cannot reach $dir (a parent folder is not traversable); set BERTH_STATE_DIR to e.g. /var/tmp/berth"
  fi

  if [ ! -s "$data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { show_log "$dir/initdb.log"; die "postgres: initdb failed"; }
  elif [ "$(cat "$data/PG_VERSION")" != 15 ]; then
    die "postgres: $data was created by PostgreSQL $(cat "$data/PG_VERSION"), not 15; remove it to start over"
  fi

  local opts="-c listen_addresses=$HOST -p $PG_PORT -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t "$TIMEOUT" -o "$opts" start >/dev/null; then
    show_log "$log"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    die "postgres: did not start within ${TIMEOUT}s"
  fi
  if ! wait_until "$TIMEOUT" "" answers pg; then
    show_log "$log"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    die "postgres: started but does not answer on $HOST:$PG_PORT"
  fi
  pg_ensure_db
  line pg "$(address pg)  (started in $(since "$t0"))"
}

down_pg() {
  local data=$SRV/pg/data port
  if ! pg_running_here; then
    if answers pg; then line pg "running, but not from $data: left alone"; else line pg "not running"; fi
    return 0
  fi
  port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null | tr -dc '0-9')
  port=${port:-$PG_PORT}
  as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t "$TIMEOUT" stop >/dev/null ||
    die "postgres: pg_ctl stop failed"
  wait_until "$TIMEOUT" "" port_closed "$port" || die "postgres: port $port still open after ${TIMEOUT}s"
  line pg "stopped"
}

# ---------------------------------------------------------------- redis

up_redis() {
  local dir=$SRV/redis t0 pid
  t0=$(now_ms)
  if answers redis; then line redis "$(address redis)  (already running)"; return 0; fi
  refuse_second redis "$dir/redis.pid" redis-server
  port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by something that is not Redis"
  mkdir -p "$dir"
  echo "$REDIS_PORT" >"$dir/redis.port"
  redis-server --bind "$HOST" --port "$REDIS_PORT" --protected-mode yes \
    --save '' --appendonly yes --appendfsync everysec --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" ||
    { show_log "$dir/redis.log"; die "redis: redis-server failed to start"; }
  wait_until 5 "" test -s "$dir/redis.pid" || true
  pid=$(pid_from "$dir/redis.pid" || true)
  if ! wait_until "$TIMEOUT" "$pid" answers redis; then
    show_log "$dir/redis.log"
    [ -n "$pid" ] && owns "$pid" redis-server && kill "$pid" 2>/dev/null
    die "redis: exited or not ready within ${TIMEOUT}s"
  fi
  line redis "$(address redis)  (started in $(since "$t0"))"
}

# ---------------------------------------------------------------- etcd

up_etcd() {
  local dir=$SRV/etcd t0 pid
  t0=$(now_ms)
  if answers etcd; then line etcd "$(address etcd)  (already running)"; return 0; fi
  refuse_second etcd "$dir/etcd.pid" etcd
  port_open "$ETCD_PORT" && die "etcd: port $ETCD_PORT is taken by something that is not etcd"
  port_open "$ETCD_PEER_PORT" && die "etcd: peer port $ETCD_PEER_PORT is already taken"
  mkdir -p "$dir"
  case $(uname -m) in x86_64 | aarch64) ;; *) export ETCD_UNSUPPORTED_ARCH=${ETCD_UNSUPPORTED_ARCH:-$(dpkg --print-architecture 2>/dev/null || uname -m)} ;; esac
  local client=http://$HOST:$ETCD_PORT peer=http://$HOST:$ETCD_PEER_PORT
  echo "$ETCD_PORT" >"$dir/etcd.port"
  # The wrapper writes its own pid and then becomes etcd, so the pid file names etcd itself.
  # shellcheck disable=SC2016
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$dir/etcd.pid" \
    etcd --name berth --data-dir "$dir/data" --logger=zap --unsafe-no-fsync \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "berth=$peer" --initial-cluster-state new \
    >"$dir/etcd.log" 2>&1 </dev/null &
  wait_until 5 "" test -s "$dir/etcd.pid" || true
  pid=$(pid_from "$dir/etcd.pid" || true)
  if [ -z "$pid" ] || ! wait_until "$TIMEOUT" "$pid" answers etcd; then
    show_log "$dir/etcd.log"
    [ -n "$pid" ] && owns "$pid" etcd && kill "$pid" 2>/dev/null
    rm -f "$dir/etcd.pid"
    die "etcd: exited or not ready within ${TIMEOUT}s"
  fi
  line etcd "$(address etcd)  (started in $(since "$t0"))"
}

# ---------------------------------------------------------------- stop by pid file

# stop_by_pidfile NAME PIDFILE PROGRAM PORT: the port recorded at start (NAME.port next
# to the pid file) wins over PORT, so a changed variable does not confuse the wait.
stop_by_pidfile() {
  local name=$1 pidfile=$2 prog=$3 port=$4 pid recorded
  recorded=$(pid_from "${pidfile%.pid}.port" || true)
  port=${recorded:-$port}
  pid=$(pid_from "$pidfile" || true)
  if [ -z "$pid" ]; then
    if port_open "$port"; then line "$name" "running, but not started by this script (no $pidfile): left alone"
    else line "$name" "not running"; fi
    return 0
  fi
  if ! owns "$pid" "$prog"; then
    rm -f "$pidfile"
    line "$name" "not running (stale pid file removed)"
    return 0
  fi
  kill -TERM "$pid"
  wait_until "$TIMEOUT" "" eval "! alive $pid && port_closed $port" ||
    die "$name: pid $pid still running or port $port still open after ${TIMEOUT}s"
  rm -f "$pidfile" "${pidfile%.pid}.port"
  line "$name" "stopped"
}

down_redis() { stop_by_pidfile redis "$SRV/redis/redis.pid" redis-server "$REDIS_PORT"; }
down_etcd() { stop_by_pidfile etcd "$SRV/etcd/etcd.pid" etcd "$ETCD_PORT"; }

# ---------------------------------------------------------------- main

[ $# -ge 1 ] || usage
cmd=$1
shift
servers=()
for s in "${@:-pg redis etcd}"; do
  for w in $s; do
    case $w in
      pg | postgres | postgresql) servers+=(pg) ;;
      redis | etcd) servers+=("$w") ;;
      *) usage ;;
    esac
  done
done

case $cmd in
  up)
    state_path
    ensure_packages "${servers[@]}"
    for s in "${servers[@]}"; do "up_$s"; done
    ;;
  down)
    [ -d "$SRV" ] && state_path
    # reverse order: the database goes last
    for ((i = ${#servers[@]} - 1; i >= 0; i--)); do "down_${servers[i]}"; done
    ;;
  status)
    rc=0
    for s in "${servers[@]}"; do
      if answers "$s"; then line "$s" "up    $(address "$s")"
      else line "$s" "down  $(address "$s")"; rc=3; fi
    done
    exit $rc
    ;;
  *) usage ;;
esac
