"""Shared set-up for the pipeline tests."""

from __future__ import annotations

import pytest

from tests.pipeline.ado_stage import stage_into


@pytest.fixture(scope="session", autouse=True)
def _staged_ado_task(tmp_path_factory):
    """The Azure DevOps task folder, staged once for every test that runs the task's launcher."""
    stage_into(tmp_path_factory.mktemp("extension"))
    yield
