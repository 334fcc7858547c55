#!/usr/bin/env bash
# `make run`: install if needed, train if needed, start the action server, the Rasa server
# and the web server, wait until they answer, print where to go, start again any that
# stops, and stop them all cleanly on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore

scripts/setup.sh
scripts/train.sh
.venv/bin/sparring lint || echo "warning: the scenarios above are refused until fixed; the others work." >&2

rasa_port=${SPARRING_RASA_PORT:-5005}
actions_port=${SPARRING_ACTIONS_PORT:-5055}
web_port=${SPARRING_WEB_PORT:-8080}
# The pages and the Rasa server a browser talks to listen on this machine only unless
# SPARRING_HOST says otherwise (e.g. 0.0.0.0 on a training-room network, docs/security.md);
# the action server only ever talks to Rasa, on loopback.
host=${SPARRING_HOST:-127.0.0.1}
page_origins=${SPARRING_ORIGINS:-http://localhost:$web_port http://127.0.0.1:$web_port}
database_url=${SPARRING_DATABASE_URL:-sqlite:///var/sparring.db}
umask 077  # transcripts, logs and tokens: readable by this user only
mkdir -p var/log
[ -f var/sparring.db ] && chmod 600 var/sparring.db
endpoints=$(scripts/endpoints.sh "$actions_port")

names=(actions rasa web)
pids=(0 0 0)
stop() {
  trap - INT TERM EXIT
  echo; echo "==> stopping Sparring"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Logs are appended to (a restart keeps the crash's log) and rotated at 10 MB.
log_to() {
  local log=var/log/$1.log
  if [ -f "$log" ] && [ "$(stat -c %s "$log")" -gt 10485760 ]; then mv -f "$log" "$log.1"; fi
  echo "$log"
}
start() {  # index into names
  case ${names[$1]} in
    actions)
      SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port "$actions_port" --actions actions \
        >> "$(log_to actions)" 2>&1 & ;;
    rasa)
      # shellcheck disable=SC2086  # one origin per word
      .venv/bin/rasa run --model models/sparring.tar.gz --interface "$host" --port "$rasa_port" \
        --endpoints "$endpoints" --credentials credentials.yml --cors $page_origins >> "$(log_to rasa)" 2>&1 & ;;
    web)
      .venv/bin/python -m sparring.web --host "$host" --port "$web_port" --rasa-port "$rasa_port" \
        --database-url "$database_url" >> "$(log_to web)" 2>&1 & ;;
  esac
  pids[$1]=$!
}

echo "==> starting the action server on :$actions_port (log: var/log/actions.log)"
start 0
echo "==> starting the Rasa server on :$rasa_port (log: var/log/rasa.log)"
start 1
echo "==> starting the web server on :$web_port (log: var/log/web.log)"
start 2

wait_for() {  # name url pid
  for _ in $(seq 1 180); do
    if curl -fs -o /dev/null "$2"; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "error: the $1 stopped; see var/log/" >&2; tail -20 "var/log/$1.log" >&2; exit 1; fi
    sleep 1
  done
  echo "error: the $1 did not answer within 3 minutes; see var/log/$1.log" >&2; exit 1
}
reach=$([ "$host" = 0.0.0.0 ] && echo localhost || echo "$host")
wait_for actions "http://127.0.0.1:$actions_port/health" "${pids[0]}"
wait_for rasa "http://$reach:$rasa_port/" "${pids[1]}"
wait_for web "http://$reach:$web_port/api/scenarios" "${pids[2]}"

cat <<MSG

  Sparring is running.
    Trainees, open:  http://$reach:$web_port/
    Team leads:      http://$reach:$web_port/review/   (sign in with the token in $(.venv/bin/python -m sparring.auth lead 2>&1 || true))
    Trainers:        http://$reach:$web_port/trainer/  (sign in with the token in $(.venv/bin/python -m sparring.auth trainer 2>&1 || true))
    Terminal chat:   make shell   (in another terminal)
    REST channel:   POST http://$reach:$rasa_port/webhooks/rest/webhook
                    {"sender": "<id>", "message": "/start_scenario{\"scenario_id\": \"double-charge\", \"trainee\": \"Ana\"}"}
    Scenarios:      .venv/bin/sparring scenarios
    Transcripts:    $(grep -q postgresql "$endpoints" && echo "PostgreSQL (SPARRING_DATABASE_URL)" || echo "var/sparring.db (SQLite)")
  Press Ctrl-C to stop.

MSG
# Supervise: a server that stops is started again (its log says why); one that keeps
# crashing (5 restarts within a minute) stops Sparring with an error instead.
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
restarts=()
while true; do
  sleep 2
  for i in 0 1 2; do
    alive "${pids[$i]}" && continue
    wait "${pids[$i]}" 2>/dev/null || true  # collect it
    now=$(date +%s)
    restarts+=("$now")
    recent=0
    for t in "${restarts[@]}"; do [ $((now - t)) -lt 60 ] && recent=$((recent + 1)); done
    if [ "$recent" -gt 5 ]; then
      echo "error: the servers keep stopping; see var/log/${names[$i]}.log" >&2
      exit 1
    fi
    echo "==> $(date '+%H:%M:%S') the ${names[$i]} server stopped; starting it again (see var/log/${names[$i]}.log)" >&2
    sleep 1
    start "$i"
  done
done
