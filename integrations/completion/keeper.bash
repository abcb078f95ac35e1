# bash completion for keeper: commands, their options, session names (keeper list --json) and
# snapshot names (keeper snapshots --names).
#
# Installed by install.sh as /usr/local/share/bash-completion/completions/keeper, where
# bash-completion finds it; without bash-completion, source this file from ~/.bashrc.

_keeper_snapshots() {
    keeper snapshots --names 2>/dev/null
}

_keeper_sessions() {
    # One "name": "…" pair per session in keeper's JSON; no JSON tool is needed for that.
    keeper list --json 2>/dev/null | sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
}

_keeper() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD-1]}"
    local commands="list save restore snapshots show export import rm gc check dump image watch autosave"
    local global="--help --verbose --version"
    COMPREPLY=()

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
        return 0
    fi

    case "$prev" in
        --images|-D) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        -o|--output|--keeper|--save-wrapper) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        --pid|-p) COMPREPLY=($(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur")); return 0 ;;
        --bus|--save-timeout) return 0 ;;
    esac

    local command="${COMP_WORDS[1]}" options="" words=""
    case "$command" in
        list) options="--json" ;;
        save) options="--all --auto --stop --pid"; words="$(_keeper_sessions)" ;;
        restore) options="--all --auto --images"; words="$(_keeper_snapshots)" ;;
        show|rm) words="$(_keeper_snapshots)" ;;
        export) options="-o --output"; words="$(_keeper_snapshots)" ;;
        import) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        snapshots) options="--names --json" ;;
        check) options="--json" ;;
        dump) options="--pid --images --leave-running" ;;
        image)
            if [ "$COMP_CWORD" -eq 2 ]; then
                words="decode encode"
            else
                options="-o"
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            ;;
        watch) options="--bus --sleep --save-timeout" ;;
        autosave)
            if [ "$COMP_CWORD" -eq 2 ]; then
                words="enable disable status"
            elif [ "${COMP_WORDS[2]}" = enable ]; then
                options="--restore --watch --keeper"
            fi
            ;;
    esac

    if [[ "$cur" == -* ]]; then
        COMPREPLY+=($(compgen -W "$options --help --verbose" -- "$cur"))
    elif [ -n "$words" ]; then
        COMPREPLY+=($(compgen -W "$words" -- "$cur"))
    fi
    return 0
}

complete -F _keeper keeper
