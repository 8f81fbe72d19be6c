#!/usr/bin/env bash
# Set up a fresh Debian machine for pathways: system packages (as root), a virtualenv, the project.
# Usage: scripts/bootstrap.sh [run|test]   — 'test' also installs Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
# weasyprint (the innsyn PDF) needs pango; grep reads all of ldconfig's list (with -q, pipefail could see a SIGPIPE)
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep libpango-1.0 >/dev/null \
  || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "$purpose" = test ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${need[*]} with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "bootstrap: missing system packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    command -v dot >/dev/null 2>&1 || exit 1
  fi
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "bootstrap: Python 3.11 or newer is needed (found $("$python" --version 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.installed
want=$(sha256sum pyproject.toml | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  echo "$want" > "$stamp"
fi
echo "bootstrap: the pathways command is .venv/bin/pathways (or run 'source .venv/bin/activate' to call it as pathways)" >&2
