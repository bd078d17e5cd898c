#!/usr/bin/env bash
# Fresh-clone proof: clone the repository (its committed HEAD) into a temp folder and run the
# README's two commands exactly as written there, as a newcomer would:
#   1. `npm install && npm start` in the background; wait for /healthz; check /, /metrics and the
#      demo login; stop it with SIGTERM and expect a clean exit.
#   2. `npm test`.
# Prints the time each step took. Not part of `npm test` (it runs `npm test` itself): CI runs it
# as its own step after the suite (.ci/run).
#
# Usage: scripts/fresh-clone-check.sh [repository]   (default: this checkout)
# Environment: PORT (default 4321) for the started server; FRESH_CLONE_TESTS=0 skips step 2;
# KEEP=1 keeps the temp folder.
set -euo pipefail
set -m # background jobs get their own process group, so the whole `npm start` tree can be stopped

repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
port="${PORT:-4321}"
base="http://127.0.0.1:${port}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pixpress-fresh-clone.XXXXXX")"
server_pgid=""

say() { printf 'fresh-clone: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }
# GET (or POST a JSON body) with Node's fetch, following redirects: no curl needed. Prints
# "status content-type" and writes the body to $2.
http() {
  node -e '
    const [url, out, body] = process.argv.slice(1);
    const init = body ? { method: "POST", headers: { "content-type": "application/json" }, body } : {};
    fetch(url, init).then(async (r) => {
      require("node:fs").writeFileSync(out, Buffer.from(await r.arrayBuffer()));
      console.log(r.status, r.headers.get("content-type") ?? "");
    }, () => { console.log("000 -"); });
  ' "$@"
}

cleanup() {
  if [ -n "$server_pgid" ] && kill -0 -- "-$server_pgid" 2>/dev/null; then
    kill -KILL -- "-$server_pgid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The commands, read from the README rather than typed here: if the README changes, so does the check.
readme_command() {
  # Prints the one-line sh block whose text matches $1 (an extended regex), or fails.
  awk -v want="$1" '
    /^```(sh|bash|shell)$/ { inside = 1; body = ""; lines = 0; next }
    /^```$/ && inside { inside = 0; if (lines == 1 && body ~ want) { print body; exit } next }
    inside { body = $0; lines++ }
  ' "$2"
}

start_all=$(date +%s)
say "cloning $repo"
git clone --quiet "$repo" "$work/pixpress"
cd "$work/pixpress"
say "HEAD $(git log -1 --format='%h %s')"

run_cmd="$(readme_command '^npm install && npm start$' README.md)"
test_cmd="$(readme_command '^npm test$' README.md)"
[ -n "$run_cmd" ] || fail "README.md has no \`npm install && npm start\` block"
[ -n "$test_cmd" ] || fail "README.md has no \`npm test\` block"

# Step 1: install, build and serve.
say "\$ $run_cmd   (PORT=$port)"
t=$(date +%s)
PORT="$port" bash -c "$run_cmd" >"$work/start.log" 2>&1 &
server_pgid=$!
disown "$server_pgid" # watched by pid below; no job-control chatter when it ends
until [[ "$(http "$base/healthz" "$work/health.json")" == 200* ]]; do
  kill -0 "$server_pgid" 2>/dev/null || { tail -n 40 "$work/start.log"; fail "the server exited before answering /healthz"; }
  [ $(( $(date +%s) - t )) -lt 600 ] || { tail -n 40 "$work/start.log"; fail "no /healthz answer within 600 s"; }
  sleep 1
done
say "/healthz answered after $(elapsed "$t") (install + build + start)"

grep -q '"status":"ok"' "$work/health.json" || fail "/healthz said: $(cat "$work/health.json")"
home_status="$(http "$base/" "$work/home.html")"
[[ "$home_status" == 200\ text/html* ]] || fail "/ answered $home_status"
grep -qi '<html' "$work/home.html" || fail "/ is not an HTML page"
metrics_status="$(http "$base/metrics" "$work/metrics.txt")"
[[ "$metrics_status" == 200\ text/plain* ]] || fail "/metrics answered $metrics_status"
grep -q '^pixpress_store_images ' "$work/metrics.txt" || fail "/metrics has no pixpress_store_images"
grep -q '^pixpress_http_request_duration_seconds_count' "$work/metrics.txt" || fail "/metrics has no request durations"
http "$base/graphql" "$work/login.json" '{"query":"mutation { logIn(username: \"Picky\", password: \"test\") { __typename } }"}' >/dev/null
grep -q '"__typename":"AuthPayload"' "$work/login.json" || fail "the README's demo login failed: $(cat "$work/login.json")"
say "/ (200 HTML), /metrics and the demo login answered"

t=$(date +%s)
kill -TERM -- "-$server_pgid"
for _ in $(seq 1 30); do kill -0 -- "-$server_pgid" 2>/dev/null || break; sleep 0.5; done
kill -0 -- "-$server_pgid" 2>/dev/null && fail "the server did not stop within 15 s of SIGTERM"
server_pgid=""
grep -q '"msg":"stopped"' "$work/start.log" || { tail -n 20 "$work/start.log"; fail "no clean shutdown in the log"; }
say "stopped cleanly after SIGTERM in $(elapsed "$t")"

# Step 2: the test command.
if [ "${FRESH_CLONE_TESTS:-1}" = 0 ]; then
  say "skipping \`$test_cmd\` (FRESH_CLONE_TESTS=0)"
else
  say "\$ $test_cmd"
  t=$(date +%s)
  test_status=0
  bash -c "$test_cmd" >"$work/test.log" 2>&1 || test_status=$?
  # The runners' summaries: vitest's "Test Files" / "Tests" lines, Playwright's "N passed" / "N failed".
  sed 's/\x1b\[[0-9;]*m//g' "$work/test.log" | grep -E '^ *(Test Files|Tests) |^ +[0-9]+ (passed|failed|flaky|skipped)' | sed 's/^ */fresh-clone:   /' || true
  if [ "$test_status" -ne 0 ]; then
    tail -n 60 "$work/test.log"
    fail "\`$test_cmd\` failed after $(elapsed "$t")"
  fi
  say "\`$test_cmd\` passed in $(elapsed "$t")"
fi

say "OK in $(elapsed "$start_all")"
