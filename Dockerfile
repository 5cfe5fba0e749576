# aib-pilot GitHub container action image.
#
# BASE_IMAGE is a build argument so the image can be built where no registry is reachable (the
# tests import a locally debootstrapped Debian; see tests/container/make-base.sh). Any Debian-like
# image with python3 >= 3.10 and the venv module works; both stages must use the same one.
# Offline builds also pass PIP_NO_INDEX=1 and PIP_FIND_LINKS=<mounted wheelhouse>.
ARG BASE_IMAGE=python:3.12-slim-bookworm

FROM ${BASE_IMAGE} AS build
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
# Build the wheel, then install only that wheel (and its pinned-range dependencies) into a venv;
# pip itself is removed afterwards because the runtime never installs anything.
RUN python3 -m venv /opt/aib-pilot \
 && /opt/aib-pilot/bin/python -m pip wheel --no-deps --wheel-dir /build/dist . \
 && /opt/aib-pilot/bin/python -m pip install --no-cache-dir /build/dist/aib_pilot-*.whl \
 && /opt/aib-pilot/bin/python -m pip uninstall --yes pip \
 && /opt/aib-pilot/bin/python -m compileall -q /opt/aib-pilot/lib

FROM ${BASE_IMAGE}
COPY --from=build /opt/aib-pilot /opt/aib-pilot
ENV PATH=/opt/aib-pilot/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LANG=C.UTF-8
# No USER: GitHub runs container actions with the workspace (/github/workspace) and the file-command
# directory (/github/file_commands: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) mounted from the runner and
# owned by the runner user; GitHub's Dockerfile guidance is to run as root, otherwise the action
# cannot write its outputs, summary or saved log. The image has no shell tools it needs beyond the
# base, no setuid additions, and nothing listens on a port.
# No WORKDIR either: the runner mounts the workspace and makes it the working directory.
ENTRYPOINT ["/opt/aib-pilot/bin/python", "-m", "aib_pilot.entrypoints.github"]
