#!/usr/bin/env bash
# Container check: build the Dockerfile and run the image for real, as an operator would.
#   1. engine       docker.io, debootstrap and docker-compose installed if missing; dockerd started
#                   if not running
#   2. base image   `node:24-slim` made locally when absent (no registry of images is reachable
#                   here; ../shared/stack-notes.md has the recipe): Debian bookworm minbase from the
#                   machine's apt mirror + Node 24 and npm 11 from the npm registry, imported under
#                   the official name, so the Dockerfile keeps `FROM node:24-slim`. The root
#                   filesystem is cached as a tar under $PIXPRESS_CI_CACHE between runs.
#   3. build        DOCKER_BUILDKIT=0 docker build --network host
#   4. start        on a named volume; wait until the image's own HEALTHCHECK reports healthy
#   5. use          sign in as SEED_USER, compressUpload a real JPEG (GraphQL multipart), store it
#   6. stop         `docker stop`: exit code 0 and the "stopped" log line within the grace period
#   7. restart      a new container on the same volume: healthy again, the stored image is listed
#                   and its original downloads byte for byte
#   8. scaled       with the test services up (PIXPRESS_TEST_*, scripts/test-services.sh): two
#                   containers on one Postgres database and one bucket; what one stores, the
#                   other lists and serves (skipped, and said so, without them)
#   9. compose      `docker-compose config` accepts every compose file (and refuses a missing
#                   JWT_SECRET)
# Prints PASS/FAIL per step with its time and a summary; exits non-zero on the first failure.
# Everything runs with --network host on a free loopback port. Containers and the volume are
# removed at the end; a dockerd this script started is stopped again.
#
# Usage: scripts/container-check.sh
# Environment: PIXPRESS_CI_CACHE (default $HOME/.cache/pixpress-ci) holds the base image's root
# filesystem; IMAGE (default pixpress:container-check) is the tag built; KEEP_DOCKERD=1 leaves a
# dockerd this script started running; DEBIAN_MIRROR overrides the mirror read from apt's sources.
set -euo pipefail

cd "$(dirname "$0")/.."
cache="${PIXPRESS_CI_CACHE:-$HOME/.cache/pixpress-ci}"
image="${IMAGE:-pixpress:container-check}"
suite=bookworm
run_id="pixpress-check-$$"
volume="$run_id-data"
image_name="container-check-$$"
seed_user="ci-admin:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
jwt_secret="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
# The compose file's stop_grace_period: the time `docker stop` gives before SIGKILL.
grace=15
work="$(mktemp -d "${TMPDIR:-/tmp}/pixpress-container-check.XXXXXX")"
dockerd_pid=""
backend_created=""
backend_name=""
containers=()
results=()
current=""
started=0

say() { printf 'container-check: %s\n' "$*"; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
begin() { current="$1"; started="$(now)"; say "-- $1"; }
pass() {
  local line
  line="PASS  $current  $(seconds_since "$started")s${1:+  ($1)}"
  say "$line"
  results+=("$line")
  current=""
}
fail() {
  local line
  line="FAIL  ${current:-setup}  $(seconds_since "$started")s  $*"
  say "$line"
  results+=("$line")
  current=""
  exit 1
}

cleanup() {
  local status=$?
  # A command that failed under `set -e` inside a step: report that step as failed.
  if [ -n "$current" ]; then
    results+=("FAIL  $current  $(seconds_since "$started")s  (a command failed, exit $status)")
    say "FAIL  $current (a command failed, exit $status)"
  fi
  set +e
  for container in "${containers[@]}"; do docker rm -f "$container" >/dev/null 2>&1; done
  docker volume rm -f "$volume" >/dev/null 2>&1
  [ -n "$backend_created" ] && node scripts/container-client.ts drop-backend "$backend_name" >/dev/null 2>&1
  if [ -n "$dockerd_pid" ] && [ "${KEEP_DOCKERD:-0}" != 1 ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$dockerd_pid" 2>/dev/null && kill -KILL "$dockerd_pid"
  fi
  rm -rf "$work"
  if [ "${#results[@]}" -gt 0 ]; then
    say "summary:"
    printf 'container-check:   %s\n' "${results[@]}"
  fi
  [ "$status" -eq 0 ] && say "OK" || say "FAILED (exit $status)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
free_port() { node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo gone; }

# Runs the image detached on the shared volume; loopback only, its own port.
start_container() {
  local name="$1" port="$2"
  containers+=("$name")
  docker run -d --name "$name" --network host --stop-timeout "$grace" \
    -e HOST=127.0.0.1 -e PORT="$port" -e JWT_SECRET="$jwt_secret" -e SEED_USER="$seed_user" \
    -v "$volume:/data" "$image" >/dev/null
}

# scripts/container-client.ts MODE against the running container, its lines indented.
client() {
  local status=0
  node scripts/container-client.ts "$1" "$base" "$seed_user" "$image_name" >"$work/client.out" 2>&1 || status=$?
  sed 's/^/  /' "$work/client.out"
  [ "$status" -eq 0 ] || fail "$2"
}

# Waits for the image's HEALTHCHECK (interval 30 s, start period 20 s) to say healthy.
wait_healthy() {
  local name="$1" state="" waited=0
  while [ "$waited" -lt 120 ]; do
    state="$(health "$name")"
    case "$state" in
      healthy) return 0 ;;
      unhealthy|gone) break ;;
    esac
    [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || break
    sleep 1
    waited=$((waited + 1))
  done
  docker logs --tail 30 "$name" 2>&1 | sed 's/^/  | /'
  fail "$name is '$state' after ${waited}s, not healthy"
}

# --- 1. engine ---------------------------------------------------------------------------------
begin "engine"
missing=()
# The engine, not just a client: some machines have a docker CLI without dockerd.
{ command -v dockerd && command -v docker; } >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if docker info >/dev/null 2>&1; then
  note="dockerd already running"
else
  mkdir -p "$cache"
  say "starting dockerd (log: $cache/dockerd.log)"
  # Started directly (not through a shell function), so $! is dockerd itself (or sudo, which
  # passes signals on).
  if [ "$(id -u)" -eq 0 ]; then dockerd >"$cache/dockerd.log" 2>&1 & else sudo dockerd >"$cache/dockerd.log" 2>&1 & fi
  dockerd_pid=$!
  for _ in $(seq 1 120); do
    [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -n 20 "$cache/dockerd.log"; fail "dockerd exited"; }
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -n 20 "$cache/dockerd.log"; fail "dockerd did not answer on /var/run/docker.sock within 60 s"; }
  note="started dockerd"
fi
pass "$note, docker $(docker version -f '{{.Server.Version}}'), $(docker info -f '{{.Driver}}')${missing:+, installed ${missing[*]}}"

# --- 2. base image -----------------------------------------------------------------------------
# The Dockerfile's own default, so the stand-in always has the name the build asks for.
base_image="$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile | head -n 1)"
[ -n "$base_image" ] || base_image="$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)"
begin "base image $base_image"
rootfs="$cache/${base_image//[:\/]/-}-$suite-rootfs.tar"

debian_mirror() {
  # The mirror apt already uses: deb822 sources first, then one-line sources.
  local uri
  uri="$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && uri != "" { for (i = 2; i <= NF; i++) if ($i == "'"$suite"'") { print uri; exit } }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)"
  [ -n "$uri" ] || uri="$(grep -hE "^deb\s+(\[[^]]*\]\s+)?\S+\s+$suite\s" /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/^deb\s+(\[[^]]*\]\s+)?(\S+).*/\2/' | head -n 1)"
  echo "${DEBIAN_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}

make_rootfs() {
  local root="$work/rootfs" nodepkg="$work/nodepkg" mirror
  mirror="$(debian_mirror)"
  say "debootstrap --variant=minbase $suite from $mirror (log: $work/debootstrap.log)"
  as_root debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log"; fail "debootstrap failed"; }
  say "Node 24 and npm 11 from the npm registry"
  mkdir -p "$nodepkg"
  (cd "$nodepkg" && npm install --prefix "$nodepkg" node@24 npm@11 --no-audit --no-fund --loglevel=error >/dev/null)
  [ -x "$nodepkg/node_modules/node/bin/node" ] || fail "npm's node package brought no binary"
  as_root install -m 0755 "$nodepkg/node_modules/node/bin/node" "$root/usr/local/bin/node"
  command -v strip >/dev/null && as_root strip "$root/usr/local/bin/node"
  as_root mkdir -p "$root/usr/local/lib/node_modules"
  as_root cp -a "$nodepkg/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
  as_root ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  as_root ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # The official image's unprivileged user and group, uid/gid 1000, home /home/node.
  as_root chroot "$root" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # npm inside a build must trust the same certificate authorities as this machine.
  as_root mkdir -p "$root/etc/ssl/certs"
  as_root cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  as_root rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/*
  mkdir -p "$cache"
  as_root tar -C "$root" --numeric-owner -cf "$rootfs.partial" .
  mv "$rootfs.partial" "$rootfs"
  as_root rm -rf "$root"
}

if docker image inspect "$base_image" >/dev/null 2>&1; then
  pass "already present, not rebuilt"
else
  how="imported the cached root filesystem $rootfs"
  if [ ! -s "$rootfs" ]; then
    make_rootfs
    how="built (debootstrap + Node from npm) and cached as $rootfs"
  fi
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' \
    - "$base_image" <"$rootfs" >/dev/null
  version="$(docker run --rm --network host "$base_image" node --version)"
  [[ "$version" == v24.* ]] || fail "the stand-in runs node $version, not 24"
  pass "$how; node $version"
fi

# --- 3. build ----------------------------------------------------------------------------------
begin "docker build"
grep -qE '^FROM \$\{NODE_IMAGE\}|^FROM node:24-slim' Dockerfile || fail "the Dockerfile no longer builds FROM the official node image"
if ! DOCKER_BUILDKIT=0 docker build --network host -t "$image" . >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log"
  fail "docker build failed"
fi
pass "$image, $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1000000 }')"

# --- 4. start ----------------------------------------------------------------------------------
begin "start on volume $volume, wait for healthy"
docker volume create "$volume" >/dev/null
port="$(free_port)"
base="http://127.0.0.1:$port"
start_container "$run_id-1" "$port"
wait_healthy "$run_id-1"
pass "healthy (the image's HEALTHCHECK), port $port"

# --- 5. use ------------------------------------------------------------------------------------
begin "sign in, compressUpload, uploadImage"
client write "the client's requests failed"
pass

# --- 6. stop -----------------------------------------------------------------------------------
begin "docker stop (grace period ${grace}s)"
stop_started="$(now)"
docker stop --time "$grace" "$run_id-1" >/dev/null
stop_took="$(seconds_since "$stop_started")"
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "$run_id-1")"
docker logs "$run_id-1" >"$work/first.log" 2>&1
[ "$exit_code" = 0 ] || { tail -n 20 "$work/first.log"; fail "exit code $exit_code after ${stop_took}s"; }
awk -v took="$stop_took" -v grace="$grace" 'BEGIN { exit !(took < grace) }' || fail "took ${stop_took}s, not within the ${grace}s grace period"
grep -q '"msg":"stopped"' "$work/first.log" || { tail -n 20 "$work/first.log"; fail "no \"stopped\" line in the log"; }
pass "exit 0 in ${stop_took}s with the \"stopped\" log line"

# --- 7. restart --------------------------------------------------------------------------------
begin "restart on the same volume, find the data"
start_container "$run_id-2" "$port"
wait_healthy "$run_id-2"
client find "the stored image was not found after the restart"
docker stop --time "$grace" "$run_id-2" >/dev/null
[ "$(docker inspect -f '{{.State.ExitCode}}' "$run_id-2")" = 0 ] || fail "the second container did not exit cleanly"
pass "the image stored before the restart is listed and downloads intact"

# --- 8. two instances on Postgres + S3 -------------------------------------------------------
# When the test services are up (.ci/run starts them; scripts/test-services.sh start): two
# containers of the image on one fresh database and one fresh bucket, as docker-compose.scaled.yml
# runs them. What one instance stores, the other lists and serves.
if [ -n "${PIXPRESS_TEST_DATABASE_URL:-}" ] && [ -n "${PIXPRESS_TEST_S3_ENDPOINT:-}" ]; then
  begin "two instances on Postgres + S3"
  backend_name="container-check-$$"
  node scripts/container-client.ts create-backend "$backend_name" >"$work/backend.env" ||
    fail "could not create the database and bucket $backend_name on the test services"
  backend_created=1
  backend_env=()
  while IFS= read -r setting; do backend_env+=(-e "$setting"); done <"$work/backend.env"
  port_a="$(free_port)"
  port_b="$(free_port)"
  for instance in a:"$port_a" b:"$port_b"; do
    containers+=("$run_id-${instance%%:*}")
    docker run -d --name "$run_id-${instance%%:*}" --network host --stop-timeout "$grace" \
      -e HOST=127.0.0.1 -e PORT="${instance#*:}" -e JWT_SECRET="$jwt_secret" -e SEED_USER="$seed_user" \
      "${backend_env[@]}" "$image" >/dev/null
  done
  wait_healthy "$run_id-a"
  wait_healthy "$run_id-b"
  base="http://127.0.0.1:$port_a"
  client write "instance a could not store the image"
  base="http://127.0.0.1:$port_b"
  client find "instance b did not list or serve what instance a stored"
  docker stop --time "$grace" "$run_id-a" "$run_id-b" >/dev/null
  for instance in a b; do
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$run_id-$instance")" = 0 ] || fail "instance $instance did not exit cleanly"
  done
  pass "stored through one instance, listed and downloaded through the other; both stopped cleanly"
else
  say "SKIP  two instances on Postgres + S3: no PIXPRESS_TEST_DATABASE_URL / PIXPRESS_TEST_S3_ENDPOINT (scripts/test-services.sh start)"
  results+=("SKIP  two instances on Postgres + S3 (no test services)")
fi

# --- 9. compose --------------------------------------------------------------------------------
begin "docker-compose config"
compose_files=()
for file in docker-compose*.yml; do compose_files+=("$file"); done
checked=()
for file in "${compose_files[@]}"; do
  # As an operator would start it: every required variable (${NAME:?…}) set, the rest defaults.
  required=()
  for name in $(grep -oE '\$\{[A-Z][A-Z0-9_]*:\?' "$file" | sed -E 's/^\$\{//; s/:\?$//' | sort -u); do
    required+=("$name=ci-$name-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')")
  done
  env "${required[@]}" docker-compose -f "$file" config >"$work/compose.out" 2>&1 ||
    { cat "$work/compose.out"; fail "docker-compose config refused $file"; }
  # Compose must refuse to start without the shared secret.
  if env "${required[@]}" JWT_SECRET= docker-compose -f "$file" config >/dev/null 2>&1; then fail "$file is accepted without JWT_SECRET"; fi
  services="$(env "${required[@]}" docker-compose -f "$file" config --services | tr '\n' ' ')"
  checked+=("$file: ${services% } (required: $(printf '%s\n' "${required[@]%%=*}" | paste -sd, -))")
done
pass "$(printf '%s; ' "${checked[@]}" | sed 's/; $//')"
