#!/usr/bin/env bash
# A Docker engine of Berth's own: Debian's dockerd on a project socket and data directory,
# plus a small image imported from a Debian package, with no registry involved.
#
#   infra/docker/engine.sh up|down|status|host
#
# up     installs docker.io and busybox-static when missing (root only), starts dockerd on
#        <state>/docker/docker.sock unless it already answers there, and imports the image
#        berth/busybox:latest (static busybox rootfs) when the engine lacks it. Idempotent.
# down   stops the dockerd this script started (by its pid file), and only that one.
# status exits 0 when the engine answers, 3 otherwise.
# host   prints the DOCKER_HOST value for the engine (unix://<socket>).
#
# Variables: BERTH_STATE_DIR (default .berth at the repository root), BERTH_DOCKER_BRIDGE (the default
# network's bridge, default berth0, created when missing, so that a system engine's docker0 is left
# alone), BERTH_DOCKER_BIP (its address, default 172.29.0.1/24), BERTH_DOCKER_POOL (address pool for
# per-session networks, default 172.29.64.0/18 cut into /26 networks), BERTH_DOCKER_TIMEOUT (seconds
# to wait, default 60). One such engine per bridge: a second one (another checkout) is refused.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE_DIR=${BERTH_STATE_DIR:-$ROOT/.berth}
mkdir -p "$STATE_DIR/docker"
D=$(cd "$STATE_DIR/docker" && pwd)
SOCK=$D/docker.sock
PIDFILE=$D/dockerd.pid
LOG=$D/dockerd.log
IMAGE=berth/busybox:latest
BRIDGE=${BERTH_DOCKER_BRIDGE:-berth0}
BIP=${BERTH_DOCKER_BIP:-172.29.0.1/24}
POOL=${BERTH_DOCKER_POOL:-172.29.64.0/18}
TIMEOUT=${BERTH_DOCKER_TIMEOUT:-60}

die() { echo "docker-engine: $*" >&2; exit 1; }

answers() { [ -S "$SOCK" ] && curl -sf --max-time 3 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }

# The pid is ours only while the process still runs dockerd with our socket.
ours() {
  local pid
  pid=$(tr -dc '0-9' <"$PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$SOCK" && echo "$pid"
}

install_missing() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v curl >/dev/null || need+=(curl)
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them as root (apt-get install docker.io busybox-static curl)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# Another dockerd on our bridge would fight this one over its addresses and firewall rules.
other_engine() {
  local pid
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--bridge $BRIDGE " || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$SOCK" && continue
    echo "$pid"
    return 0
  done
  return 1
}

ensure_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  ip link add "$BRIDGE" type bridge
  ip addr add "$BIP" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

start_engine() {
  [ "$(id -u)" = 0 ] || die "dockerd needs root to start; run as root or point BERTH_DOCKER_HOST at a running engine"
  if pid=$(other_engine); then
    die "another engine (dockerd $pid) uses bridge $BRIDGE; point BERTH_DOCKER_HOST at it or set BERTH_DOCKER_BRIDGE, BERTH_DOCKER_BIP and BERTH_DOCKER_POOL"
  fi
  ensure_bridge || die "cannot create bridge $BRIDGE with address $BIP"
  mkdir -p "$D/data" "$D/exec"
  rm -f "$SOCK"
  # setsid: the engine outlives the shell that started it, as servers.sh does for its servers
  setsid nohup dockerd -H "unix://$SOCK" --data-root "$D/data" --exec-root "$D/exec" --pidfile "$PIDFILE" \
    --storage-driver=overlay2 --bridge "$BRIDGE" --default-address-pool "base=$POOL,size=26" --mtu 1400 \
    >"$LOG" 2>&1 </dev/null &
  local waited=0
  until answers; do
    if [ $waited -ge $((TIMEOUT * 2)) ]; then
      tail -20 "$LOG" >&2 || true
      die "dockerd did not answer on $SOCK within ${TIMEOUT}s"
    fi
    sleep 0.5; waited=$((waited + 1))
  done
}

# A rootfs of the static busybox from Debian, imported as an image: no registry needed.
import_image() {
  local api="curl -sf --unix-socket $SOCK"
  $api "http://engine/images/$IMAGE/json" >/dev/null 2>&1 && return 0
  local rootfs
  rootfs=$(mktemp -d "$D/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' RETURN
  mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | curl -sf --unix-socket "$SOCK" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @- "http://engine/images/create?fromSrc=-&repo=berth/busybox&tag=latest&changes=CMD%20%5B%22%2Fbin%2Fsh%22%5D" \
    >/dev/null || die "importing $IMAGE failed"
  $api "http://engine/images/$IMAGE/json" >/dev/null || die "$IMAGE is missing after the import"
}

case ${1:-} in
  up)
    install_missing
    if answers; then echo "docker engine already running on unix://$SOCK"; else start_engine; fi
    import_image
    version=$(curl -sf --unix-socket "$SOCK" http://engine/version | sed -n 's/.*"ApiVersion":"\([^"]*\)".*/\1/p')
    echo "docker engine up: unix://$SOCK (API $version), image $IMAGE"
    ;;
  down)
    if pid=$(ours); then
      kill "$pid"
      for _ in $(seq 1 60); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
      [ -d "/proc/$pid" ] && die "dockerd $pid did not stop"
      echo "docker engine stopped"
    else
      echo "docker engine not started by this script"
    fi
    ;;
  status)
    if answers; then echo "docker engine up: unix://$SOCK"; else echo "docker engine down"; exit 3; fi
    ;;
  host)
    echo "unix://$SOCK"
    ;;
  *)
    echo "usage: $0 up|down|status|host" >&2
    exit 2
    ;;
esac
