#!/usr/bin/env bash
# Developer entry point: sets up a local environment on first use, then runs a task.
#   ./dev.sh demo    the main job on the bundled default: emulated Azure, a failing build, its diagnosis
#   ./dev.sh test    the whole test suite (what CI runs), in parallel: python -m pytest -n N --dist loadfile
#                    (N = $AIB_TEST_WORKERS, default 4: the tests wait on the emulator about half the
#                    time, so two CPUs keep four workers busy; AIB_TEST_WORKERS=0 runs in one process)
#   ./dev.sh setup   only create .venv and install Azurite
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
venv="$root/.venv"
py="${PYTHON:-python3}"

setup() {
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
  fi
  # Reinstall only when the project metadata changed since the last install.
  stamp="$venv/.aib-pilot-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
    touch "$stamp"
  fi
  if [ ! -x tests/emulator/azurite/node_modules/.bin/azurite-blob ]; then
    command -v npm >/dev/null || { echo "dev.sh: npm is needed for Azurite (apt-get install nodejs npm)" >&2; exit 2; }
    (cd tests/emulator/azurite && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -d tests/report/parsers/node_modules/azure-pipelines-task-lib ]; then  # Microsoft's command parser
    (cd tests/report/parsers && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

case "${1:-}" in
  setup) setup ;;
  demo) setup; shift; exec "$venv/bin/aib-pilot" demo "$@" ;;
  test) setup; shift; exec "$venv/bin/python" -m pytest -n "${AIB_TEST_WORKERS:-4}" --dist loadfile "$@" ;;
  *) echo "usage: ./dev.sh demo|test|setup" >&2; exit 2 ;;
esac
