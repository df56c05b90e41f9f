# Shared set-up for bin/run and bin/test: a virtual environment with this project
# installed. Sourced, not run. Re-installs only when pyproject.toml changes.

find_python() {
  # Django 6 needs Python 3.12 or newer; pyenv's builds count too.
  local candidate
  for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
      /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "klentyadmin needs Python 3.12 or newer; set PYTHON=/path/to/python3.12" >&2
  return 1
}

ensure_venv() {
  # $1: the pip extras to install, e.g. "test" (empty for the product alone)
  local extras="$1" python stamp wanted
  if [ ! -x .venv/bin/python ]; then
    python=$(find_python)
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  stamp=.venv/.klentyadmin-installed
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) extras=${extras}"
  if [ ! -f "$stamp" ] || ! grep -qxF "$wanted" "$stamp"; then
    echo "Installing Python packages into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    if [ -n "$extras" ]; then
      .venv/bin/python -m pip install --quiet -e ".[${extras}]"
    else
      .venv/bin/python -m pip install --quiet -e .
    fi
    echo "$wanted" > "$stamp"
  fi
}

ensure_chromium() {
  # Debian's Chromium: browser tests drive it and report emails draw charts with it.
  # Playwright's and kaleido's own browser downloads cannot work here.
  if command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  apt_install chromium
}

apt_install() {
  # $@: Debian packages, installed quietly as root or through sudo.
  echo "Installing Debian's $*"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq "$@" >/dev/null
}

# -- PostgreSQL and Redis for the scale-out test pass ---------------------------

postgresql_bin() {
  # Debian keeps the server programs off PATH, one folder per major version.
  find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgresql_and_redis() {
  local missing=()
  [ -n "$(postgresql_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgresql_and_redis() {
  # $1: an empty folder this run owns. Starts a throwaway PostgreSQL cluster and a
  # Redis server there, on loopback and free ports, and exports DATABASE_URL and
  # REDIS_URL. Both are tuned for tests (no fsync, no persistence); trap
  # stop_postgresql_and_redis to remove them.
  local dir="$1" bin pg_port redis_port
  local as_owner=()
  bin=$(postgresql_bin)
  pg_port=$(free_port)
  redis_port=$(free_port)
  mkdir -p "$dir/pg" "$dir/redis"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: as root the cluster belongs to Debian's postgres user.
    chmod 755 "$dir"
    chown postgres: "$dir/pg"
    as_owner=(runuser -u postgres --)
  fi
  "${as_owner[@]}" "$bin/initdb" --pgdata="$dir/pg/data" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log"
  "${as_owner[@]}" "$bin/pg_ctl" start --wait --silent --pgdata="$dir/pg/data" --log="$dir/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # The application's role is no superuser, as in production; it may create
  # databases because pytest-django creates one per test worker.
  "${as_owner[@]}" "$bin/psql" --quiet --host=127.0.0.1 --port="$pg_port" --username=postgres \
    --dbname=postgres --set=ON_ERROR_STOP=1 \
    --command="CREATE ROLE klentyadmin LOGIN CREATEDB" \
    --command="CREATE DATABASE klentyadmin OWNER klentyadmin"
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir/redis" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"
  local tries=50  # it forks before it listens
  until redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "redis-server did not start: $dir/redis/redis.log" >&2; return 1; }
    sleep 0.2
  done
  export DATABASE_URL="postgres://klentyadmin@127.0.0.1:$pg_port/klentyadmin"
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
}

stop_postgresql_and_redis() {
  # $1: the folder given to start_postgresql_and_redis. Safe to call twice.
  local dir="$1" as_owner=()
  [ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$(postgresql_bin)/pg_ctl" stop --silent --mode=fast --pgdata="$dir/pg/data" || true
  fi
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
