#!/usr/bin/env bash
# Boots `make run`, checks the login page and a demo login, then stops it with Ctrl-C (SIGINT)
# and checks that everything it started has stopped.
set -euo pipefail
PORT="${SMOKE_PORT:-8765}"
log="$(mktemp)"; jar="$(mktemp)"
setsid env PORT="$PORT" make run >"$log" 2>&1 &
pid=$!
cleanup() { kill -INT -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/login/"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "make run exited early" >&2; exit 1; fi
  sleep 1
done
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" "http://127.0.0.1:$PORT/login/")
[ "$status" = 200 ] || { cat "$log"; echo "login page answered $status" >&2; exit 1; }
token=$(awk '$6 == "csrftoken" {print $7}' "$jar")
location=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" \
  -H "Referer: http://127.0.0.1:$PORT/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=employee@acme.test" \
  --data-urlencode "password=ascent-demo" "http://127.0.0.1:$PORT/login/")
case "$location" in */) ;; *) cat "$log"; echo "demo login did not redirect (got '$location')" >&2; exit 1 ;; esac
page=$(curl -sL -b "$jar" "http://127.0.0.1:$PORT/o/acme/")
grep -q "Emma" <<<"$page" || { cat "$log"; echo "demo employee's My work page did not render" >&2; exit 1; }
echo "make run serves; employee@acme.test signed in and saw My work"
kill -INT -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "make run did not stop on Ctrl-C" >&2; exit 1; fi
trap - EXIT
grep -q "stopped" "$log" || { cat "$log"; echo "make run did not report a clean stop" >&2; exit 1; }
if pgrep -f "runserver 127.0.0.1:$PORT" >/dev/null; then echo "the web server outlived make run" >&2; exit 1; fi
echo "make run stopped cleanly"
