#!/bin/sh
# keeper-run.sh ACTION SOCKET [NAME]: runs `keeper ACTION NAME` for the tmux server listening on
# SOCKET (NAME defaults to the socket's name, which is how keeper names a tmux server) and
# reports the outcome in the option @keeper-status and on the status line.
#
# run-shell starts this script as a child of the tmux server, and keeper must not run inside
# the tree it saves. So the work is done in a new session (setsid -f), whose process then
# belongs to the init process (or the user's subreaper), outside the server's tree; the script
# returns once that process has called setsid() (it then closes the pipe read below).
set -u
if [ "${1:-}" != --detached ]; then
    name="${3:-$(basename "$2")}"
    detached="$(setsid -f "$0" --detached "$1" "$2" "$name" </dev/null 2>/dev/null)"
    exit 0
fi
exec </dev/null >/dev/null 2>&1
action="$2"
socket="$3"
name="$4"
keeper="$(tmux -S "$socket" show-option -gqv @keeper-bin)"
keeper="${keeper:-keeper}"
log="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/keeper-tmux-$(id -u).log"

report() {
    tmux -S "$socket" set-option -gq @keeper-status "$1"
    tmux -S "$socket" display-message "$1"
}

report "keeper: $action $name ..."
if output="$("$keeper" "$action" "$name" 2>&1)"; then
    report "keeper: $action $name done"
else
    report "keeper: $action $name failed: $(printf '%s\n' "$output" | grep -m1 'error:' || printf '%s\n' "$output" | tail -n 1)"
fi
printf '%s keeper %s %s\n%s\n' "$(date '+%F %T')" "$action" "$name" "$output" >> "$log"
