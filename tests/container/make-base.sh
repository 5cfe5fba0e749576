#!/usr/bin/env bash
# Build the container base image locally, because no container registry is reachable here.
#
# debootstrap makes a minimal Debian (the same release as this machine) with python3 and venv
# support, which is then imported into podman as $AIB_BASE_IMAGE (default
# localhost/aib-pilot-base:bookworm). The rootfs tarball is cached under $AIB_CACHE_DIR
# (default /var/cache/aib-pilot) so later runs only re-import it; delete the cache to rebuild.
# The Debian mirror is read from this machine's apt configuration, so whatever mirror apt uses
# here is used for the image too. Needs root (debootstrap, podman).
set -euo pipefail

cache="${AIB_CACHE_DIR:-/var/cache/aib-pilot}"
image="${AIB_BASE_IMAGE:-localhost/aib-pilot-base:bookworm}"
suite="${AIB_BASE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"
tarball="$cache/base-$suite.tar"

log() { echo "make-base: $*" >&2; }

mirror_from_apt() {
  # deb822 sources first, then the one-line format; the first Debian main URI wins.
  local uri=""
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)"
  fi
  echo "$uri"
}

if podman image exists "$image" 2>/dev/null && [ -f "$tarball" ]; then
  log "$image present"
  exit 0
fi

if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
  mirror="$(mirror_from_apt)"
  [ -n "$mirror" ] || { log "no Debian mirror found in /etc/apt; set one in /etc/apt/sources.list"; exit 2; }
  mkdir -p "$cache"
  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap $suite into $rootfs (a few minutes)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { log "debootstrap failed; see $cache/debootstrap.log"; tail -5 "$cache/debootstrap.log" >&2; exit 1; }
  # Trim what a runtime image never needs.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/usr/share/info/*
  tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$rootfs"; trap - EXIT
fi

log "importing $tarball as $image"
podman import --change 'CMD ["/usr/bin/python3"]' --change 'ENV LANG=C.UTF-8' "$tarball" "$image" >/dev/null
podman image exists "$image"
log "ready: $image"
