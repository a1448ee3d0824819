#!/usr/bin/env bash
# Installs and starts what the test suite needs from the system, only where it is missing:
# Debian's chromium and CJK fonts (browser tests), a PostgreSQL server on 127.0.0.1:5432 and
# a Redis server on 127.0.0.1:6379 (the rate limits shared by several server processes).
# Idempotent; prints what it does. Needs root (or sudo) only when something must be installed.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  missing+=(postgresql)
fi
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up && ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-system: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
fi
if ! pg_up; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-system: starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  # A freshly installed server asks for a password on TCP: give the test role a known one.
  $SUDO -u postgres psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null
fi
pg_up || { echo "ensure-system: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
if ! redis_up; then
  echo "ensure-system: starting Redis (in memory only)"
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "ensure-system: Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
echo "ensure-system: chromium, CJK fonts, PostgreSQL and Redis are ready"
