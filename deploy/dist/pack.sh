#!/usr/bin/env bash
# `make pack`: the release packages, into the directory given (artifacts/):
#   podlift-<rid>.tar.gz   per CLI_RIDS: podlift-<rid>/{podlift, agent/<rid>/podlift-agent per AGENT_RIDS, install.sh}
#   install.sh             the one-line installer (curl ... | sh), RELEASE_URL written in
#   podlift.<version>.nupkg  the dotnet tool (`dotnet tool install -g podlift`), the agents inside
# The agents must be published already (make publish-agents). Prints each package with its size.
set -euo pipefail
artifacts=${1:?usage: pack.sh <artifacts directory>}
cd "$(dirname "$0")/../.."
dotnet=${DOTNET:-dotnet}
configuration=${CONFIGURATION:-Release}
read -r -a cli_rids <<<"${CLI_RIDS:?}"
read -r -a agent_rids <<<"${AGENT_RIDS:?}"

for rid in "${agent_rids[@]}"; do
  [[ -f $artifacts/agent/$rid/podlift-agent ]] || { echo "pack.sh: no agent for $rid: make publish-agents" >&2; exit 1; }
done

staging=$artifacts/pack
rm -rf "$staging"
mkdir -p "$staging"
sed "s|@RELEASE_URL@|${RELEASE_URL:-}|" deploy/dist/install.sh >"$artifacts/install.sh"
chmod 0755 "$artifacts/install.sh"

for rid in "${cli_rids[@]}"; do
  package=$staging/podlift-$rid
  # Podlift.Cli.csproj says how a CLI for a machine is published; a release carries no debug symbols
  "$dotnet" publish Podlift.Cli -c "$configuration" -r "$rid" -nologo -v q -p:DebugType=none -o "$package"
  for agent in "${agent_rids[@]}"; do
    mkdir -p "$package/agent/$agent"
    cp "$artifacts/agent/$agent/podlift-agent" "$package/agent/$agent/"
  done
  cp "$artifacts/install.sh" "$package/install.sh"
  tar -czf "$artifacts/podlift-$rid.tar.gz" -C "$staging" "podlift-$rid"
done

rm -f "$artifacts"/podlift.*.nupkg
"$dotnet" pack Podlift.Cli -c "$configuration" -nologo -v q -p:PodliftTool=true -p:PodliftAgents="$artifacts/agent" -o "$artifacts"
rm -rf "$staging"
ls -l "$artifacts"/podlift-*.tar.gz "$artifacts"/podlift.*.nupkg "$artifacts/install.sh"
