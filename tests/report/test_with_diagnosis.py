"""End to end with the real diagnosis engine: a failing log -> every format."""

from __future__ import annotations

import io
import json

import pytest

from aib_pilot.diagnosis import Diagnosis, diagnose
from aib_pilot.report import FORMATS, render_diagnosis

from .runners import ado_commands, github_commands

TEMPLATE = """{
  "type": "Microsoft.VirtualMachineImages/imageTemplates",
  "apiVersion": "2022-02-14",
  "location": "westus2",
  "properties": {
    "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts", "version": "latest"},
    "customize": [
      {"type": "Shell", "name": "update", "inline": ["sudo apt-get update"]},
      {"type": "Shell", "name": "install-nginx", "inline": ["sudo apt-get install -y nginx"]}
    ],
    "distribute": [{"type": "ManagedImage", "imageId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/img", "location": "westus2", "runOutputName": "out"}]
  }
}
"""
LOG = """[a1b2] PACKER OUT ==> azure-arm: Running builder ...
[a1b2] PACKER OUT ==> azure-arm: Deploying deployment template ...
[a1b2] PACKER OUT ==> azure-arm: Waiting for SSH to become available...
[a1b2] PACKER OUT ==> azure-arm: Connected to SSH!
[a1b2] PACKER OUT 2026/11/25 22:04:31 packer: 2026/11/25 22:04:31 (telemetry) Starting provisioner shell
[a1b2] PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1
[a1b2] PACKER OUT     azure-arm: Hit:1 http://azure.archive.ubuntu.com/ubuntu jammy InRelease
[a1b2] PACKER OUT 2026/11/25 22:05:31 packer: 2026/11/25 22:05:31 (telemetry) ending shell
[a1b2] PACKER OUT 2026/11/25 22:05:32 packer: 2026/11/25 22:05:32 (telemetry) Starting provisioner shell
[a1b2] PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell2
[a1b2] PACKER OUT     azure-arm: ::error::pwned ##vso[task.setvariable variable=x]y ##[error]z
[a1b2] PACKER OUT     azure-arm: GET https://a.blob.core.windows.net/c/f?sv=1&sig=TOPSECRETSIG123&se=2
[a1b2] PACKER OUT     azure-arm: E: Unable to locate package nginxx
[a1b2] PACKER ERR ==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]
[a1b2] PACKER OUT 2026/11/25 22:05:40 packer: 2026/11/25 22:05:40 (telemetry) ending shell
[a1b2] PACKER ERR Build 'azure-arm' errored after 6 minutes: Script exited with non-zero exit status: 100.
[a1b2] PACKER ERR Packer build command has failed: exit status 1
"""


@pytest.fixture
def diagnosed(tmp_path):
    template = tmp_path / "image.json"
    template.write_text(TEMPLATE)
    log = tmp_path / "customization.log"
    log.write_text(LOG)
    return diagnose(str(log), template_path=str(template)).to_dict(), str(template)


def customizer_line() -> int:
    return next(i for i, line in enumerate(TEMPLATE.splitlines(), 1) if '"install-nginx"' in line)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_real_diagnosis_safely(fmt, diagnosed, tmp_path):
    diag, template = diagnosed
    assert diag["failed_customizer"]["name"] == "install-nginx"
    out = io.StringIO()
    render_diagnosis(Diagnosis.from_dict(diag), fmt, out, template_path=template, env={"AGENT_TEMPDIRECTORY": str(tmp_path)})
    text = out.getvalue()
    assert "TOPSECRETSIG123" not in text
    if fmt == "json":
        assert json.loads(text) == diag
        return
    assert "install-nginx" in text
    gh = [c for c in github_commands(text) if c.name not in ("stop-commands", "resume-commands")]
    ado = ado_commands(text)
    if fmt == "github":
        assert gh[0].name == "error" and gh[0].props["line"] == str(customizer_line())
        assert gh[0].props["file"] == template
        assert {c.name for c in gh} == {"error"} and ado == []
    elif fmt == "azure-devops":
        issue = next(c for c in ado if c.name == "task.logissue")
        assert issue.props["linenumber"] == str(customizer_line())
        assert {c.props["variable"] for c in ado if c.name == "task.setvariable"} >= {"category", "failedCustomizer"}
        assert not any(c.props.get("variable") == "x" for c in ado)
    else:
        assert gh == [] and ado == []


def test_long_values_survive_as_outputs(diagnosed, tmp_path):
    diag, template = diagnosed
    diag["tail"] = [{"line": i, "text": f"line {i} " + "y" * 300} for i in range(40)]
    assert len(json.dumps(diag)) > 10_000
    out = io.StringIO()
    render_diagnosis(Diagnosis.from_dict(diag), "azure-devops", out, template_path=template,
                     env={"AGENT_TEMPDIRECTORY": str(tmp_path)})
    values = {c.props["variable"]: c.data for c in ado_commands(out.getvalue()) if c.name == "task.setvariable"}
    assert json.loads(values["diagnosisJson"]) == diag
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    render_diagnosis(Diagnosis.from_dict(diag), "github", io.StringIO(), template_path=template,
                     env={"GITHUB_OUTPUT": str(output_file)})
    from .conftest import parse_env_file
    assert json.loads(parse_env_file(output_file.read_text())["diagnosis-json"]) == diag
