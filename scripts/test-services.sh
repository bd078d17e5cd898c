#!/usr/bin/env bash
# Test services for the Postgres + S3 backends, on loopback only, in a temp folder, for CI and
# for developers:
#   - a private Postgres cluster: Debian's binaries (/usr/lib/postgresql/*/bin), `initdb` with
#     trust auth, run as the `postgres` user when this runs as root, on a free 127.0.0.1 port
#     (fsync off: test data, not data to keep);
#   - s3rver (npm devDependency) serving the S3 protocol from a folder on a free 127.0.0.1 port,
#     with the bucket pixpress-test created at start, through scripts/s3rver.ts (which takes out
#     a race that made s3rver exit when a delete and a put met in one key folder).
#
#   scripts/test-services.sh start [ENV_FILE]   start both, check them, write ENV_FILE (default
#                                               .test-services.env) and print the same exports
#   scripts/test-services.sh stop [ENV_FILE]    stop what ENV_FILE describes, remove its folder
#   scripts/test-services.sh run CMD [ARGS...]  start, run CMD with the variables, stop
#
#   eval "$(scripts/test-services.sh start)"; npm test; scripts/test-services.sh stop
#   scripts/test-services.sh run npm test
#
# The variables: PIXPRESS_TEST_DATABASE_URL (postgres://postgres@127.0.0.1:PORT/postgres),
# PIXPRESS_TEST_S3_ENDPOINT (http://127.0.0.1:PORT), PIXPRESS_TEST_S3_REGION (us-east-1),
# PIXPRESS_TEST_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY (S3RVER / S3RVER), PIXPRESS_TEST_S3_BUCKET
# (pixpress-test), PIXPRESS_TEST_SERVICES_DIR (the temp folder).
# s3rver facts a client must know (scripts/test-services-check.ts shows each): path-style
# requests (forcePathStyle); the access key id must be S3RVER (its one account), the secret is
# not checked and no V4 signature is verified (a tampered presigned URL still answers 200, so
# signature checks cannot be tested against it); and with @aws-sdk/client-s3's default flexible
# checksums a streamed PutObject is stored WITH its aws-chunked framing (300000 bytes put, 300045
# stored): give the client `requestChecksumCalculation: 'WHEN_REQUIRED'`.
#
# Environment: PG_BIN (default: the newest /usr/lib/postgresql/*/bin) to pick a Postgres.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bucket=pixpress-test

say() { printf 'test-services: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }
is_root() { [ "$(id -u)" -eq 0 ]; }
# Postgres refuses to run as root: as root, its commands run as the `postgres` user.
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || die "no Postgres binaries under /usr/lib/postgresql/*/bin: apt-get install -y postgresql (or set PG_BIN)"
  echo "$dir"
}

# Stops whatever $1 (a services folder) holds and removes it. Safe on a half-started folder.
stop_dir() {
  local dir="$1" pid
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pg/postmaster.pid" ]; then
    as_postgres "$(cat "$dir/pg-bin")/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || say "pg_ctl stop failed (see $dir/pg/log)"
  fi
  if [ -f "$dir/s3rver.pid" ]; then
    pid="$(cat "$dir/s3rver.pid")"
    # Only the s3rver this folder started, never a recycled pid. One that is gone already died
    # during the run: its log says why, and it goes with the folder, so show it now.
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "s3rver.*$dir/s3"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    else
      say "s3rver had exited before this stop; the end of its log:"
      tail -n 30 "$dir/s3rver.log" >&2 || true
    fi
  fi
  rm -rf "$dir"
}

start() {
  local env_file="$1" bin dir pg_port s3_port started_at t pid
  [ ! -e "$env_file" ] || die "$env_file exists: services already started? (scripts/test-services.sh stop $env_file)"
  [ -f "$repo/node_modules/s3rver/bin/s3rver.js" ] || die "s3rver is not installed: npm install"
  bin="$(pg_bin)"
  started_at="$(date +%s.%N)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/pixpress-test-services.XXXXXX")"
  # Half-started services are torn down on any failure below.
  trap 'stop_dir "$dir"' EXIT
  chmod 755 "$dir" # the postgres user must reach its data folder inside
  echo "$bin" >"$dir/pg-bin"

  t="$(date +%s.%N)"
  mkdir "$dir/pg"
  is_root && chown postgres:postgres "$dir/pg"
  as_postgres "$bin/initdb" -D "$dir/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # A free port can be taken between the probe and the bind: try a few.
  for attempt in 1 2 3; do
    pg_port="$(free_port)"
    if as_postgres "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/log" -w -t 30 \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    [ "$attempt" -lt 3 ] || { tail -n 20 "$dir/pg/log" >&2; die "Postgres did not start"; }
  done
  say "Postgres $("$bin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port ($(elapsed "$t"))"

  t="$(date +%s.%N)"
  mkdir "$dir/s3"
  # Port 0: s3rver binds a free port itself and prints it. It makes ListObjectsV2 continuation
  # tokens with DES, which OpenSSL 3 keeps in its legacy provider: without it, paging fails.
  NODE_OPTIONS=--openssl-legacy-provider node "$repo/scripts/s3rver.ts" "$dir/s3" 127.0.0.1 "$bucket" \
    >"$dir/s3rver.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/s3rver.pid"
  s3_port=""
  for _ in $(seq 1 100); do
    s3_port="$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/s3rver.log")"
    [ -z "$s3_port" ] || break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/s3rver.log" >&2; die "s3rver exited"; }
    sleep 0.1
  done
  [ -n "$s3_port" ] || { cat "$dir/s3rver.log" >&2; die "s3rver did not start within 10 s"; }
  say "s3rver on 127.0.0.1:$s3_port, bucket $bucket ($(elapsed "$t"))"

  cat >"$dir/env" <<EOF
export PIXPRESS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres
export PIXPRESS_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port
export PIXPRESS_TEST_S3_REGION=us-east-1
export PIXPRESS_TEST_S3_ACCESS_KEY_ID=S3RVER
export PIXPRESS_TEST_S3_SECRET_ACCESS_KEY=S3RVER
export PIXPRESS_TEST_S3_BUCKET=$bucket
export PIXPRESS_TEST_SERVICES_DIR=$dir
EOF

  # Both answer a real client before anyone relies on them.
  (set -a; . "$dir/env"; node "$repo/scripts/test-services-check.ts") >&2 || die "the services did not pass their check"

  cp "$dir/env" "$env_file"
  trap - EXIT
  say "ready in $(elapsed "$started_at"); variables in $env_file (stop: scripts/test-services.sh stop $env_file)"
  cat "$dir/env"
}

stop() {
  local env_file="$1" dir
  if [ ! -f "$env_file" ]; then
    say "no $env_file: nothing to stop"
    return 0
  fi
  dir="$(sed -n 's/^export PIXPRESS_TEST_SERVICES_DIR=//p' "$env_file")"
  case "$dir" in
    */pixpress-test-services.*) stop_dir "$dir" ;;
    *) die "$env_file names no services folder" ;;
  esac
  rm -f "$env_file"
  say "stopped"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start "${1:-$repo/.test-services.env}" ;;
  stop) stop "${1:-$repo/.test-services.env}" ;;
  run)
    [ $# -gt 0 ] || die "usage: scripts/test-services.sh run CMD [ARGS...]"
    env_file="$(mktemp -u "${TMPDIR:-/tmp}/pixpress-test-services-env.XXXXXX")"
    start "$env_file" >/dev/null
    trap 'stop "$env_file"' EXIT
    status=0
    (set -a; . "$env_file"; "$@") || status=$?
    exit "$status"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
