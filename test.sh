#!/usr/bin/env bash
# Runs the whole test suite (unit, layout, C/R) and ends with one line "N passed, N failed, N skipped".
# Needs root (ptrace, namespaces, clone3 with set_tid) and the packages of scripts/deps.sh.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=.build/test-results
rm -rf "$results"
mkdir -p "$results"

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
./build.sh || { echo "0 passed, 1 failed"; exit 1; }

# One test assembly at a time: the C/R tests freeze and restore real process trees, and timing
# on a 2-core machine is steadier without a second suite competing.
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" "$@" || status=1
done

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted) + $(get inconclusive)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without a failing test (crash, build error): count it.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
