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
  echo "Installing Debian's chromium"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}
