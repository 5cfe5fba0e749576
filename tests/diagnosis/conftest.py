import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


@pytest.fixture
def logs_dir():
    return os.path.join(HERE, "logs")


def log_path(name: str) -> str:
    return os.path.join(HERE, "logs", name)


def example_path(name: str) -> str:
    return os.path.join(ROOT, "examples", "logs", name)
