#!/usr/bin/env bash
# Installs the Debian packages keeper's tests and demos use. Idempotent; needs root.
# The .NET SDK itself is expected to be present (dotnet on PATH).
set -euo pipefail

packages=(
  gcc libc6-dev          # the C/R test programs and ABI layout probes are compiled at test time
  python3                # a few tests use small python3 programs as tracees
  procps psmisc util-linux iproute2   # ps/pkill, unshare, ip (namespaces mode, veth peers)
  screen tmux vim socat  # real session programs saved and restored by the end-to-end tests
  nftables               # network lock for TCP connections
  tigervnc-standalone-server   # VNC sessions
  dbus systemd           # keeper watch is tested against a private dbus-daemon; systemd-analyze verifies the units
  zsh                    # the zsh completion is checked by zsh itself
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]} — run as root (sudo $0)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "deps: the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }
