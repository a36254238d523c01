#!/usr/bin/env bash
# The smoke of `make run` (CI's last step). It proves, against the real thing:
# - a taken port: make run says so and exits, instead of half-starting;
# - on a free port it picked itself: the start-up block names that address, and the server that
#   answers there is make run's own (the listener's process group is the one this script started),
#   so a stray server on a well-known port cannot pass for it;
# - it serves as production does: a demo login works, an unknown page is the product's own 404
#   (no debug page, no credential);
# - a killed worker is restarted and says so, and an invitation e-mail still goes out, printed on
#   the console, with a link to the address being served;
# - Ctrl-C (SIGINT) stops everything it started.
set -euo pipefail
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="${SMOKE_PORT:-$(free_port)}"
log="$(mktemp)"; jar="$(mktemp)"; busy_log="$(mktemp)"
fail() { cat "$log"; echo "smoke: $*" >&2; exit 1; }
base="http://127.0.0.1:$PORT"

# 1. A taken port.
BUSY="$(free_port)"
python3 -m http.server --bind 127.0.0.1 "$BUSY" >/dev/null 2>&1 &
busy_pid=$!
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$BUSY/" && break; sleep 0.1; done
set +e
PORT="$BUSY" timeout 120 make run >"$busy_log" 2>&1
busy_status=$?
set -e
kill "$busy_pid" 2>/dev/null || true
wait "$busy_pid" 2>/dev/null || true
[ "$busy_status" -ne 0 ] || { cat "$busy_log"; echo "smoke: make run on a taken port exited 0" >&2; exit 1; }
grep -q "port $BUSY is already in use" "$busy_log" || { cat "$busy_log"; echo "smoke: no 'already in use' line" >&2; exit 1; }
echo "make run on a taken port says so and exits ($busy_status)"

# 2. Start on the free port.
setsid env PORT="$PORT" make run >"$log" 2>&1 &
pid=$!
cleanup() { kill -INT -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q "Ascent is ready at $base/" "$log" && break
  kill -0 "$pid" 2>/dev/null || fail "make run exited early"
  sleep 1
done
grep -q "Ascent is ready at $base/" "$log" || fail "no start-up block naming $base/"
tail -n 12 "$log" | grep -q "Stop with Ctrl-C" || fail "the start-up block is not at the end of the output"
listener=$(ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$listener" ] || fail "nothing listens on $PORT"
[ "$(ps -o pgid= -p "$listener" | tr -d ' ')" = "$pid" ] || fail "the server on $PORT is not the one make run started"
echo "make run serves on $PORT, which it picked up from PORT, and the listener is its own"

# 3. Production behaviour: a demo login, the product's own 404 without secrets.
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" "$base/login/")
[ "$status" = 200 ] || fail "login page answered $status"
sign_in() {
  curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" -H "Referer: $base/login/" \
    --data-urlencode "csrfmiddlewaretoken=$(awk '$6 == "csrftoken" {print $7}' "$jar")" \
    --data-urlencode "username=$1" --data-urlencode "password=ascent-demo" "$base/login/"
}
case "$(sign_in employee@acme.test)" in */) ;; *) fail "demo login did not redirect" ;; esac
grep -q "Emma" <<<"$(curl -sL -b "$jar" "$base/o/acme/")" || fail "demo employee's My work page did not render"
missing=$(curl -s -b "$jar" -w '\n%{http_code}' "$base/o/acme/no-such-page/")
[ "$(tail -n1 <<<"$missing")" = 404 ] || fail "an unknown page did not answer 404"
if grep -qiE "URLconf|Traceback|DATABASE_URL|ascent-ci-password" <<<"$missing"; then fail "the 404 page is Django's debug page"; fi
echo "employee@acme.test signed in; unknown pages get the product's own 404 (DEBUG off)"

# 4. Kill the worker: make run restarts it and says so; an invitation still goes out, with our port.
worker=$(pgrep -g "$pid" -f "celery -A config --quiet worker" | head -1)
[ -n "$worker" ] || fail "no worker in make run's process group"
kill -KILL "$worker"
for _ in $(seq 1 30); do grep -q "the worker stopped (exit code .*); restarting it" "$log" && break; sleep 1; done
grep -q "the worker stopped (exit code .*); restarting it" "$log" || fail "make run did not restart the killed worker"
rm -f "$jar"; curl -s -o /dev/null -c "$jar" "$base/login/"
case "$(sign_in hr@acme.test)" in */) ;; *) fail "hr@acme.test could not sign in" ;; esac
curl -s -o /dev/null -b "$jar" -c "$jar" "$base/o/acme/admin/invitations/"
invitee="smoke-$RANDOM$RANDOM@example.test"
curl -s -o /dev/null -b "$jar" -H "Referer: $base/o/acme/admin/invitations/" \
  --data-urlencode "csrfmiddlewaretoken=$(awk '$6 == "csrftoken" {print $7}' "$jar")" \
  --data-urlencode "email=$invitee" --data-urlencode "role=employee" "$base/o/acme/admin/invitations/"
for _ in $(seq 1 60); do grep -q "To: $invitee" "$log" && break; sleep 1; done
grep -q "To: $invitee" "$log" || fail "the invitation e-mail was not printed after the worker restart"
grep -q "$base/join/" "$log" || fail "the invitation link does not point at $base"
echo "the killed worker was restarted; the invitation went out with a link to $base"

# 5. Ctrl-C stops everything.
kill -INT -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -0 "$pid" 2>/dev/null && fail "make run did not stop on Ctrl-C"
trap - EXIT
grep -q "stopped" "$log" || fail "make run did not report a clean stop"
sleep 1
if pgrep -g "$pid" >/dev/null; then fail "a process of make run outlived it: $(pgrep -a -g "$pid")"; fi
echo "make run stopped cleanly"
