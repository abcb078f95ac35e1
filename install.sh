#!/usr/bin/env bash
# Fresh Debian 12 machine: installs the packages keeper uses, builds it, puts `keeper` on the
# PATH (/usr/local/bin), checks the kernel features and runs the main job: `keeper demo` saves,
# ends and restores a throwaway screen session with bash, top and vim.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh
./build.sh
install -m 0755 artifacts/keeper /usr/local/bin/keeper
echo "installed /usr/local/bin/keeper"
# Autosave units (enabled per user with `keeper autosave enable`), the tmux plugin, the screen
# bindings and shell completion, in the places their programs look.
share=/usr/local/share
install -d "$share/keeper/systemd-user" "$share/keeper/tmux/scripts" "$share/keeper/screen" "$share/keeper/vnc" \
  "$share/bash-completion/completions" "$share/zsh/site-functions"
install -m 0644 systemd-user/*.service "$share/keeper/systemd-user/"
install -m 0755 integrations/tmux/keeper.tmux "$share/keeper/tmux/"
install -m 0755 integrations/tmux/scripts/keeper-run.sh "$share/keeper/tmux/scripts/"
install -m 0644 integrations/screen/screenrc-keeper "$share/keeper/screen/"
install -m 0755 integrations/screen/keeper-screen "$share/keeper/screen/"
install -m 0644 integrations/vnc/README.md "$share/keeper/vnc/"
install -m 0644 integrations/completion/keeper.bash "$share/bash-completion/completions/keeper"
install -m 0644 integrations/completion/_keeper "$share/zsh/site-functions/_keeper"
echo "installed the autosave units and integrations under $share"
keeper check
# The main job: a throwaway screen session saved, ended and restored (`keeper demo`).
exec keeper demo
