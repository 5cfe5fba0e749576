#!/usr/bin/env bash
# Developer entry point: sets up a local environment on first use, then runs a task.
#   ./dev.sh demo    the main job on the bundled default: emulated Azure, a failing build, its diagnosis
#   ./dev.sh test    the whole test suite (what CI runs), in parallel: python -m pytest -n N --dist loadfile
#                    (N = $AIB_TEST_WORKERS, default 4: the tests wait on the emulator about half the
#                    time, so two CPUs keep four workers busy; AIB_TEST_WORKERS=0 runs in one process)
#   ./dev.sh setup   only create .venv and install Azurite (AIB_UV=path/to/uv: install with uv, not pip)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
venv="$root/.venv"
py="${PYTHON:-python3}"

setup() {
  # The npm installs (Azurite; Microsoft's command parser for the report tests) write thousands of
  # small files and mostly wait on the disk and the registry: they run beside the pip install.
  local npm_pids=() pid
  if [ ! -x tests/emulator/azurite/node_modules/.bin/azurite-blob ] \
     || [ ! -d tests/report/parsers/node_modules/azure-pipelines-task-lib ]; then
    command -v npm >/dev/null || { echo "dev.sh: npm is needed for Azurite (apt-get install nodejs npm)" >&2; exit 2; }
  fi
  if [ ! -x tests/emulator/azurite/node_modules/.bin/azurite-blob ]; then
    (cd tests/emulator/azurite && npm ci --no-audit --no-fund --loglevel=error) &
    npm_pids+=($!)
  fi
  if [ ! -d tests/report/parsers/node_modules/azure-pipelines-task-lib ]; then  # Microsoft's command parser
    (cd tests/report/parsers && npm ci --no-audit --no-fund --loglevel=error) &
    npm_pids+=($!)
  fi
  trap 'kill "${npm_pids[@]}" 2>/dev/null || true' EXIT
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
  fi
  # Reinstall only when the project metadata changed since the last install.
  stamp="$venv/.aib-pilot-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    if [ -n "${AIB_UV:-}" ]; then  # uv (CI passes .ci/uv's): seconds from its cache, where pip takes a minute
      "$AIB_UV" pip install --quiet --python "$venv/bin/python" -e '.[test]'
    else
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
    fi
    touch "$stamp"
  fi
  for pid in "${npm_pids[@]}"; do
    wait "$pid" || { echo "dev.sh: npm ci failed (see its output above)" >&2; exit 1; }
  done
  trap - EXIT
}

# The suite starts the CLI, the emulator and the entrypoints in many Python processes. Where
# PYTHONDONTWRITEBYTECODE is set (as in some CI images) each of them would compile every module of
# src/ and tests/ again, and every xdist worker would redo pytest's assertion rewriting of every
# test module: compile src/ and tests/ once, and let the test run keep what it compiles (in the
# git-ignored __pycache__ folders, as Python does by default). Stale files are never used: Python
# checks each one against its source's size and modification time. (A file that does not compile
# is left to pytest, which reports it.)
compile_bytecode() {
  unset PYTHONDONTWRITEBYTECODE
  "$venv/bin/python" -m compileall -q -j 0 -x node_modules src tests >/dev/null 2>&1 || true
}

case "${1:-}" in
  setup) setup ;;
  demo) setup; shift; exec "$venv/bin/aib-pilot" demo "$@" ;;
  test) setup; shift; compile_bytecode
        exec "$venv/bin/python" -m pytest -n "${AIB_TEST_WORKERS:-4}" --dist loadfile "$@" ;;
  *) echo "usage: ./dev.sh demo|test|setup" >&2; exit 2 ;;
esac
