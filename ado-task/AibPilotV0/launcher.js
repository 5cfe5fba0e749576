#!/usr/bin/env node
// Azure DevOps task launcher: finds Python on the agent, makes sure aib-pilot is installed, and
// runs `python -m aib_pilot.entrypoints.azure_devops`, which reads the task inputs (INPUT_*) and
// the AzureRM service connection (ENDPOINT_*) from the environment the agent set.
//
// Deliberately no azure-pipelines-task-lib: loading it deletes INPUT_*/ENDPOINT_AUTH_*/SECRET_*
// from process.env, so the Python child would not see them. The child inherits the environment
// unchanged. Signals from the agent (SIGINT, then SIGTERM ~7.5 s later) are forwarded so
// `run` can cancel the Azure build; the child's exit code becomes the task's.
//
// Python: the pythonInterpreter input, else AIB_PILOT_PYTHON, else python3/python (py -3 on
// Windows) from PATH; it must be 3.10+. If it already imports aib_pilot at the bundled version
// it is used as is; otherwise a virtual environment is created once per version under the
// agent's tools directory and the wheel bundled in ./wheels (or the same version from the
// package index) is installed into it.
'use strict';

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const TASK_DIR = __dirname;
const MIN_PYTHON = [3, 10];
const IS_WINDOWS = process.platform === 'win32';

function say(message) {
  process.stdout.write(`aib-pilot launcher: ${message}\n`);
}

// Logging-command data escaping (azure-pipelines-task-lib's rules): % first, then CR, LF, ] and ;.
function adoEscape(text) {
  return String(text)
    .replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
    .replace(/]/g, '%5D').replace(/;/g, '%3B');
}

function die(message, code = 2) {
  process.stderr.write(`aib-pilot launcher: error: ${message}\n`);
  // Also an issue on the run's summary, so the user sees why the step failed, not just its exit code.
  // The message is ours (paths, versions), and escaped so it cannot open another logging command.
  process.stdout.write(`##vso[task.logissue type=error]${adoEscape(`aib-pilot launcher: ${message}`)}\n`);
  process.exit(code);
}

function bundledWheel() {
  const dir = path.join(TASK_DIR, 'wheels');
  if (!fs.existsSync(dir)) return null;
  const wheels = fs.readdirSync(dir).filter((f) => /^aib_pilot-.+\.whl$/.test(f)).sort();
  return wheels.length ? path.join(dir, wheels[wheels.length - 1]) : null;
}

function wheelVersion(wheel) {
  if (!wheel) return null;
  const m = /^aib_pilot-([^-]+)-/.exec(path.basename(wheel));
  return m ? m[1] : null;
}

function probe(command, args) {
  // Returns the interpreter's "major.minor" and its aib_pilot version ('' when not installed).
  const code = 'import sys\ntry:\n import aib_pilot; v = aib_pilot.__version__\nexcept Exception:\n v = ""\n'
    + 'print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], v))';
  const r = spawnSync(command, [...args, '-c', code], { encoding: 'utf8', timeout: 60000 });
  if (r.error || r.status !== 0) return null;
  const [pyVersion, pilotVersion = ''] = r.stdout.trim().split(/\s+/);
  const [major, minor] = pyVersion.split('.').map(Number);
  return { command, args, major, minor, pilotVersion };
}

function recentEnough(p) {
  return p && (p.major > MIN_PYTHON[0] || (p.major === MIN_PYTHON[0] && p.minor >= MIN_PYTHON[1]));
}

function findPython() {
  const explicit = (process.env.INPUT_PYTHONINTERPRETER || process.env.AIB_PILOT_PYTHON || '').trim();
  if (explicit) {
    const p = probe(explicit, []);
    if (!p) die(`cannot run the Python interpreter '${explicit}'; fix the pythonInterpreter input.`);
    if (!recentEnough(p)) die(`'${explicit}' is Python ${p.major}.${p.minor}; aib-pilot needs ${MIN_PYTHON.join('.')} or newer.`);
    return p;
  }
  const candidates = IS_WINDOWS ? [['py', ['-3']], ['python', []], ['python3', []]] : [['python3', []], ['python', []]];
  for (const [command, args] of candidates) {
    const p = probe(command, args);
    if (recentEnough(p)) return p;
  }
  die(`no Python ${MIN_PYTHON.join('.')}+ found on PATH; add a UsePythonVersion@0 step before this task `
    + 'or set the pythonInterpreter input.');
  return null;
}

function venvPython(venv) {
  return IS_WINDOWS ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

function run(command, args, what) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (r.error || r.status !== 0) die(`${what} failed (${r.error ? r.error.message : `exit ${r.status}`}).`, 1);
}

function ensureInstalled(base) {
  const wheel = bundledWheel();
  const version = wheelVersion(wheel);
  if (base.pilotVersion && (!version || base.pilotVersion === version)) {
    return base; // the interpreter already has this aib-pilot (self-hosted agents, tests)
  }
  if (!version) die('this task bundles no aib-pilot wheel and the Python interpreter does not have aib-pilot installed.');
  const root = process.env.AGENT_TOOLSDIRECTORY || process.env.AGENT_TEMPDIRECTORY || os.tmpdir();
  const venv = path.join(root, 'aib-pilot', version, `py${base.major}${base.minor}`);
  const marker = path.join(venv, '.aib-pilot-installed');
  const python = venvPython(venv);
  if (!fs.existsSync(marker)) {
    say(`installing aib-pilot ${version} into ${venv}`);
    fs.rmSync(venv, { recursive: true, force: true });
    run(base.command, [...base.args, '-m', 'venv', venv], 'creating the virtual environment');
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', wheel], 'installing aib-pilot');
    fs.writeFileSync(marker, `${version}\n`);
  }
  return { command: python, args: [] };
}

function main() {
  const python = ensureInstalled(findPython());
  const child = spawn(python.command, [...python.args, '-m', 'aib_pilot.entrypoints.azure_devops'], {
    stdio: 'inherit',
    env: process.env,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => die(`cannot start Python: ${err.message}`, 1));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 1) : code));
}

main();
