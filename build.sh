#!/usr/bin/env bash
# Restores, builds (Release) and publishes the CLI with NativeAOT to artifacts/keeper.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build SessionKeeper.sln -c Release -nologo -clp:ErrorsOnly
rm -rf .build/publish
dotnet publish src/SessionKeeper.Cli/SessionKeeper.Cli.csproj -c Release -nologo -clp:ErrorsOnly -o .build/publish
mkdir -p artifacts
cp .build/publish/keeper artifacts/keeper
echo "built artifacts/keeper ($(du -h artifacts/keeper | cut -f1))"
