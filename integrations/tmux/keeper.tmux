#!/usr/bin/env bash
# keeper plugin for tmux: save and restore this tmux server with keeper.
#
# Load it from ~/.tmux.conf (or through TPM: set -g @plugin '…/keeper'):
#     run-shell /usr/local/share/keeper/tmux/keeper.tmux
#
#   prefix + C-s   save this server as a snapshot named after its socket (keeper save NAME);
#                  the server runs on, attached clients are detached for the save
#   prefix + C-r   restore a snapshot: prompts for its name (e.g. other@auto)
#
# The outcome is shown in the status line and kept in the option @keeper-status.
# Options, set before the plugin is loaded:
#   @keeper-save-key     key for saving (default C-s)
#   @keeper-restore-key  key for restoring (default C-r)
#   @keeper-bin          the keeper command (default: keeper on the server's PATH)
set -eu

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="$here/scripts/keeper-run.sh"

option() {
    local value
    value="$(tmux show-option -gqv "$1")"
    printf '%s' "${value:-$2}"
}

save_key="$(option @keeper-save-key C-s)"
restore_key="$(option @keeper-restore-key C-r)"

tmux bind-key "$save_key" run-shell -b "'$run' save '#{socket_path}'"
tmux bind-key "$restore_key" command-prompt -p "keeper restore:" "run-shell -b \"'$run' restore '#{socket_path}' '%%'\""
