"""Failures outside the customizers: the build VM deployment, its NIC, the connection, deprovisioning, the staging group."""

from __future__ import annotations

from .. import phases
from ..build import Build, Plot, Stop
from .helpers import (EXIT_MESSAGE, powershell_failure)


FUTURE_DEADLINE = ("Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original "
                   "Error: context deadline exceeded")


class NoArtifacts(Plot):
    """The build VM's deployment never completes; Packer's wait for it hits its deadline."""

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        status = ctx.rand_digits(20)
        for _ in range(60):
            w.wait(1.0, hang=True)
            phases.azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Resources/deployments/"
                                 f"{ctx.names['dp']}/operationStatuses/{status}", lower_rg=True)
        return Stop("error", FUTURE_DEADLINE, cancelled=True)


NIC_NAME = "aibplsq3k9x1.nic.5b7e2c1a-0d4f-4e8a-9c61-2f0b8d3e7a14"

NIC_404 = ("network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original "
           "Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" "
           "Message=\"The Resource 'Microsoft.Network/networkInterfaces/" + NIC_NAME + "' under resource "
           "group '{staging_rg}' was not found.\"")


class NicNotFound(Plot):
    """Right after deployment AIB tags the private-link NIC and gets 404 (missing permissions)."""

    deploy_polls = 3

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        phases.azure_request(w, ctx, "PATCH", f"{ctx.rg_path}/providers/Microsoft.Network/networkInterfaces/{NIC_NAME}", dt=2)
        message = NIC_404.replace("{staging_rg}", ctx.staging_rg)
        w.err(f"[ERROR] {message}", dt=0.5)
        w.say(f"ERROR: -> {message}")
        return Stop("error", message)


class CommunicatorTimeout(Plot):
    """The build VM never answers on SSH (22) / WinRM (5986): an NSG or a hardened image blocks it."""

    def connect(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        ip = f"10.0.0.{ctx.rng.randint(4, 60)}"
        if ctx.windows:
            w.say("Waiting for WinRM to become available...", dt=0.5)
            w.err("Waiting for WinRM, up to timeout: 10m0s")
            for _ in range(30):
                w.wait(1.0, hang=True)
                w.err(f'[ERROR] connection error: unknown error Post "https://{ip}:5986/wsman": dial tcp {ip}:5986: i/o timeout')
            message = "Timeout waiting for WinRM."
        else:
            w.say("Waiting for SSH to become available...", dt=0.5)
            w.err("[INFO] Waiting for SSH, up to timeout: 20m0s")
            for _ in range(40):
                w.wait(1.0, hang=True)
                w.err(f"[INFO] Attempting SSH connection to {ip}:22...")
                w.err(f"[DEBUG] TCP connection to SSH ip/port failed: dial tcp {ip}:22: i/o timeout")
            message = "Timeout waiting for SSH."
        w.say(message)
        return Stop("error", message)


class DeprovisionFailed(Plot):
    """AIB's hidden deprovisioning step fails (waagent removed / the script deleted by a customizer)."""

    def deprovision(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        if ctx.windows:
            w.err1("[INFO] (telemetry) Starting provisioner powershell", dt=1.0)
            w.say("Provisioning with powershell script: C:/Windows/Temp/packer-ps-deprovision.ps1")
            w.err(f"Found command: {phases.WIN_DEPROVISION_PROBE}")
            w.ui("Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may "
                 "fail or the VM created from the Image may not boot. Please make sure the deprovisioning "
                 "script is not accidentally deleted by a Customizer in the Template.", dt=0.5)
            w.err("Found command: c:\\DeprovisioningScript.ps1", dt=0.5)
            for dt, _, text in powershell_failure("c:\\DeprovisioningScript.ps1", "C:/Windows/Temp/packer-ps-deprovision.ps1", 1):
                w.say(text, dt=dt)
            command, code, name = "c:\\DeprovisioningScript.ps1", 1, "powershell"
        else:
            phases.deprovision_start(w, ctx)
            w.say("sudo: /usr/sbin/waagent: command not found", dt=0.4)
            command, code, name = "sudo sh /tmp/DeprovisioningScript.sh", 127, "shell"
        phases.remote_command_end(w, command, code, 0, 45)
        message = EXIT_MESSAGE.format(code=code)
        w.say(message)
        w.err1(f"[INFO] (telemetry) ending {name}")
        return Stop("error", message)


def vm_family(size: str) -> str:
    """Quota family of a VM size as ARM names it (Standard_D2s_v3 -> standardDSv3Family)."""
    import re

    m = re.match(r"Standard_([A-Z]+)\d+([a-z]*)(?:_v(\d))?", size)
    if not m:
        return "standardDv2Family"
    return f"standard{m.group(1)}{m.group(2).upper()}{'v' + m.group(3) if m.group(3) else ''}Family"


class DeploymentRejected(Plot):
    """ARM rejects the build VM's deployment in the staging RG (quota, SKU capacity, policy).

    ``at_validation``: refused when Packer validates the deployment template (policy), reported as
    InvalidTemplateDeployment (the shape of a real AIB log: danielsollondon/azvmimagebuilder#11);
    otherwise the deployment runs and fails (DeploymentFailed).
    """

    deploy_polls = 3

    def __init__(self, code: str, message: str, *, at_validation: bool = False) -> None:
        self.code, self.message = code, message
        self.refused_at_validation = at_validation

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        detail = self.message.format(size=ctx.vm_size, family=vm_family(ctx.vm_size), location=ctx.location,
                                     vm=ctx.names["vm"], subscription=ctx.subscription)
        if self.refused_at_validation:
            outer, summary = ("InvalidTemplateDeployment", "The template deployment failed because of policy "
                              "violation. Please see details for more information.")
        else:
            outer, summary = ("DeploymentFailed", "At least one resource deployment operation failed. Please "
                              "list deployment operations for details. Please see "
                              "https://aka.ms/arm-deployment-operations for usage details.")
        w.say(f"ERROR: -> {outer} : {summary}", dt=2)
        w.say(f"ERROR:   -> {self.code} : {detail}")
        w.say("")
        return Stop("error", f"Code=\"{outer}\" Message=\"{summary}\" "
                             f"Details=[{{\"code\":\"{self.code}\",\"message\":\"{detail}\"}}]")


QUOTA = ("Operation could not be completed as it results in exceeding approved {family} Cores quota. "
         "Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: 4, "
         "Current Usage: 4, Additional Required: 2, (Minimum) New Limit Required: 6. Submit a request for "
         "Quota increment at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView")


SKU = ("The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: {size}' is "
       "currently not available in location '{location}'. Please try another size or deploy to a different "
       "location or zones. See https://aka.ms/azureskunotavailable for details.")


POLICY = ("Resource '{vm}' was disallowed by policy. Policy identifiers: '[{{\\\"policyAssignment\\\":"
          "{{\\\"name\\\":\\\"Allowed virtual machine size SKUs\\\",\\\"id\\\":\\\"/subscriptions/{subscription}/"
          "providers/Microsoft.Authorization/policyAssignments/allowed-vm-skus\\\"}}}}]'.")


class StagingDeleted(Plot):
    """Someone deletes the staging resource group while the build runs; AIB loses its build VM."""

    def deprovision(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        phases.deprovision_start(w, ctx)
        phases.azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Compute/virtualMachines/{ctx.names['vm']}", dt=30)
        message = (f"compute.VirtualMachinesClient#Get: Failure responding to request: StatusCode=404 -- Original "
                   f"Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceGroupNotFound\" "
                   f"Message=\"Resource group '{ctx.staging_rg}' could not be found.\"")
        w.say(f"ERROR: -> {message}", dt=1)
        return Stop("error", message, cleanup=False)
