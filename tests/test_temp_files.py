"""Nothing left in the machine's temp folder: files only in the job's own temp folder.

The Azure DevOps summary goes to ``AGENT_TEMPDIRECTORY`` (the agent empties it after the job);
outside an agent there is nothing to upload it, so nothing is written.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOG = REPO / "examples" / "logs" / "linux-customizer-failed.log"
TEMPLATE = REPO / "examples" / "logs" / "linux-template.json"


def _diagnose(tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess:
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_", "TF_BUILD", "GITHUB_", "RUNNER_"))}
    env.update(TMPDIR=str(system_tmp), **env_extra)
    return subprocess.run([sys.executable, "-m", "aib_pilot", "diagnose", str(LOG), "--template", str(TEMPLATE),
                           "--format", "azure-devops"], env=env, capture_output=True, text=True, timeout=60)


def test_azure_devops_summary_outside_an_agent_leaves_no_file(tmp_path):
    out = _diagnose(tmp_path)
    assert out.returncode == 1, out.stderr          # a failed build was found
    assert "##vso[task.logissue type=error" in out.stdout
    assert "task.uploadsummary" not in out.stdout
    assert list((tmp_path / "system-tmp").iterdir()) == []


def test_azure_devops_summary_goes_to_the_agents_temp_folder(tmp_path):
    agent_tmp = tmp_path / "agent-tmp"
    agent_tmp.mkdir()
    out = _diagnose(tmp_path, AGENT_TEMPDIRECTORY=str(agent_tmp), TF_BUILD="True")
    uploads = [ln for ln in out.stdout.splitlines() if ln.startswith("##vso[task.uploadsummary]")]
    assert len(uploads) == 1, out.stdout[-2000:]
    path = Path(uploads[0].split("]", 1)[1])
    assert path.parent == agent_tmp and path.read_text(encoding="utf-8").startswith("###")
    assert list((tmp_path / "system-tmp").iterdir()) == []
