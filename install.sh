#!/usr/bin/env bash
# Fresh Debian 12 machine: installs the packages keeper uses, builds it, puts `keeper` on the
# PATH (/usr/local/bin) and runs the main job on this machine.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh
./build.sh
install -m 0755 artifacts/keeper /usr/local/bin/keeper
echo "installed /usr/local/bin/keeper"
exec keeper check
