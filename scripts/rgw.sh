#!/usr/bin/env bash
# A throwaway Ceph RADOS Gateway (a real S3 server that enforces If-None-Match / If-Match) on
# 127.0.0.1, for the object-store tests. Debian's ceph-mon, ceph-osd and radosgw (16.2.x).
#
#   scripts/rgw.sh start [ENV_FILE]   install the packages if missing (apt-get, root), start a
#                                     single-node cluster in a fresh temp dir (one monitor with
#                                     auth none, one memstore OSD, pool size 1, radosgw with the
#                                     beast frontend), create an S3 user and a bucket, write the
#                                     env lines to ENV_FILE (default .tmp/rgw.env)
#   scripts/rgw.sh env                print those env lines
#   scripts/rgw.sh stop               kill every daemon `start` started, by pid; remove the temp dir
#
# Measured on the 2-core CI machine: start about 19 s (packages present; apt-get install of
# the three packages about 20 s more), stop about 6 s; the three daemons hold about 140 MB.
# The env lines: REPLAYKIT_TEST_S3_ENDPOINT, REPLAYKIT_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY (random, test only), AWS_REGION. The state (which temp dir) lives in
# $REPLAYKIT_RGW_STATE (default .tmp/rgw.state), so one checkout runs one gateway at a time.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${REPLAYKIT_RGW_STATE:-$ROOT/.tmp/rgw.state}"
BUCKET="${REPLAYKIT_RGW_BUCKET:-replaykit-test}"

log() { echo "rgw: $*" >&2; }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

install_packages() {
  local missing=()
  for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ceph-mon ceph-osd radosgw (missing: ${missing[*]})"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    ceph-mon ceph-osd radosgw ceph-common >/dev/null
}

# Waits up to $2 seconds for `$1` (a command) to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.2
  done
}

stop() {
  if [ ! -f "$STATE" ]; then
    log "not running (no $STATE)"
    return 0
  fi
  local dir
  dir="$(cat "$STATE")"
  if [ -f "$dir/pids" ]; then
    # Reverse start order, one at a time (the gateway shuts down cleanly while the OSD and
    # the monitor are still up): about 2 s each; SIGKILL after 10 s.
    local pid
    for pid in $(tac "$dir/pids"); do
      kill "$pid" 2>/dev/null || continue
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
  case "$dir" in
    */replaykit-rgw.*) [ "${REPLAYKIT_RGW_KEEP:-}" = 1 ] || rm -rf "$dir" ;;
    *) log "not removing unexpected dir $dir" ;;
  esac
  rm -f "$STATE"
  log "stopped"
}

start() {
  local env_file="${1:-$ROOT/.tmp/rgw.env}"
  local t0=$SECONDS
  if [ -f "$STATE" ]; then
    local old alive=""
    old="$(cat "$STATE")"
    for pid in $(cat "$old/pids" 2>/dev/null); do kill -0 "$pid" 2>/dev/null && alive=1; done
    if [ -n "$alive" ]; then
      log "already running ($old); stop it first"
      return 1
    fi
    log "removing the stale state of a gateway that is gone ($old)"
    stop
  fi
  install_packages
  mkdir -p "$(dirname "$STATE")" "$(dirname "$env_file")"
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/replaykit-rgw.XXXXXX")"
  echo "$dir" >"$STATE"
  # From here on, a failure stops what was started.
  trap 'log "start failed; logs were in $dir/log"; tail -n 20 "$dir"/log/* >&2 || true; stop' ERR

  local fsid mon_port rgw_port conf="$dir/ceph.conf"
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(free_port)"
  rgw_port="$(free_port)"
  mkdir -p "$dir/run" "$dir/log" "$dir/mon" "$dir/osd/ceph-0" "$dir/rgw"
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public network = 127.0.0.1/32
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd max object name len = 256
osd max object namespace len = 64
ms bind ipv6 = false
# radosgw defaults to the "secure" mode to the monitor, which auth none cannot give
ms mon client mode = crc
[client.rgw.local]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
EOF

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >/dev/null 2>&1
  ceph-mon -c "$conf" -i a -f >"$dir/log/mon.out" 2>&1 &
  echo $! >>"$dir/pids"
  wait_for "timeout 5 ceph -c '$conf' mon stat" 30 || { log "monitor did not come up"; false; }

  local osd_id
  osd_id="$(timeout 20 ceph -c "$conf" osd create)"
  [ "$osd_id" = 0 ] || { log "unexpected osd id $osd_id"; false; }
  ceph-osd -c "$conf" -i 0 --mkfs >"$dir/log/osd-mkfs.out" 2>&1
  ceph-osd -c "$conf" -i 0 -f >"$dir/log/osd.out" 2>&1 &
  echo $! >>"$dir/pids"
  wait_for "timeout 5 ceph -c '$conf' osd stat | grep -q '1 up'" 60 || { log "OSD did not come up"; false; }

  radosgw -c "$conf" -n client.rgw.local -f >"$dir/log/rgw.out" 2>&1 &
  echo $! >>"$dir/pids"
  local endpoint="http://127.0.0.1:$rgw_port"
  wait_for "curl -sf '$endpoint/'" 90 || { log "radosgw did not come up"; false; }

  local access secret
  access="RK$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)"
  secret="$(od -An -N30 -tx1 /dev/urandom | tr -d ' \n')"
  radosgw-admin -c "$conf" user create --uid=replaykit --display-name=replaykit \
    --access-key="$access" --secret-key="$secret" >/dev/null
  wait_for "curl -sf -X PUT -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 'aws:amz:us-east-1:s3' --user '$access:$secret' '$endpoint/$BUCKET'" 30 ||
    { log "could not create bucket $BUCKET"; false; }

  cat >"$dir/env" <<EOF
REPLAYKIT_TEST_S3_ENDPOINT=$endpoint
REPLAYKIT_TEST_S3_BUCKET=$BUCKET
AWS_ACCESS_KEY_ID=$access
AWS_SECRET_ACCESS_KEY=$secret
AWS_REGION=us-east-1
EOF
  cp "$dir/env" "$env_file"
  trap - ERR
  log "up at $endpoint (bucket $BUCKET) in $((SECONDS - t0)) s; env in $env_file; pids $(tr '\n' ' ' <"$dir/pids")"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  env)
    [ -f "$STATE" ] || { log "not running"; exit 1; }
    cat "$(cat "$STATE")/env"
    ;;
  *)
    echo "usage: scripts/rgw.sh start [ENV_FILE] | env | stop" >&2
    exit 2
    ;;
esac
