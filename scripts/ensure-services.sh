#!/usr/bin/env bash
# Starts the machine's PostgreSQL and Redis when they are down, and waits until both answer; installs
# Chromium when it is missing.
# Tests run against these real servers; nothing here is mocked.
set -euo pipefail

# The web app's browser tests drive Debian's Chromium (Playwright's own browser download is not reachable).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-services: installing Chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
if ! redis_up; then
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

for _ in $(seq 1 60); do
  if pg_up && redis_up; then
    echo "ensure-services: PostgreSQL and Redis are up"
    exit 0
  fi
  sleep 0.5
done
echo "ensure-services: PostgreSQL or Redis did not come up within 30 s" >&2
pg_up || echo "  PostgreSQL at 127.0.0.1:5432 is down" >&2
redis_up || echo "  Redis at 127.0.0.1:6379 is down" >&2
exit 1
