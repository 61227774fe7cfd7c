#!/usr/bin/env bash
# The published CLI (with its x64 agent beside it) of another commit, for `BENCH=first BASELINE=<commit> make bench`:
# the same first deploy by that code and by this one, in turns in one run. Built once per commit, in a git worktree
# under artifacts/baseline/ (that commit's own `make publish-cli`); prints the CLI's path.
#   deploy/testing/bench/baseline-cli.sh COMMIT
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
commit=$(git -C "$root" rev-parse --verify "${1:?usage: baseline-cli.sh COMMIT}^{commit}")
tree=$root/artifacts/baseline/${commit:0:12}
cli=$tree/artifacts/cli/podlift
if [[ -x $cli ]]; then echo "$cli"; exit 0; fi
if [[ ! -d $tree ]]; then git -C "$root" worktree add --detach --force "$tree" "$commit" >&2; fi
# this machine's CLI_RID from the caller: an older Makefile's own guess of it may not parse (a719eb2's does not)
make -C "$tree" publish-cli AGENT_RIDS=linux-x64 ${CLI_RID:+CLI_RID=$CLI_RID} >&2
echo "$cli"
