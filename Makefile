# podlift: build, test and try it on local test servers. See README.md and docs/.
SHELL := /bin/bash
# the agent `make publish-agent` builds, and the one the tests and the bench install (the test servers are x64)
RID ?= linux-x64
# every server architecture podlift installs an agent on (Podlift.Cli/Remote/AgentBinary.cs: a test checks they agree)
AGENT_RIDS := linux-x64 linux-arm64
# every machine the CLI runs on: a package each (`make pack`)
CLI_RIDS := linux-x64 linux-arm64 osx-x64 osx-arm64
# the CLI `make install` puts on this machine
CLI_RID ?= $(shell uname -s | sed 's/^Darwin$$/osx/; s/^Linux$$/linux/')-$(shell uname -m | sed 's/^x86_64$$/x64/; s/^aarch64$$/arm64/')
CONFIGURATION ?= Release
ARTIFACTS := $(CURDIR)/artifacts
AGENT := $(ARTIFACTS)/agent/$(RID)/podlift-agent
INSTALL_DIR ?= /usr/local
DOTNET ?= dotnet
TEST_LOGGER_ARGS ?=
# where the release's tarballs are downloaded from: written into the install.sh `make pack` makes
RELEASE_URL ?=

# where a publish for one RID keeps its obj/ and bin/: apart from the RID-less builds of the tests and the bench, whose
# restore would otherwise rewrite the same project.assets.json and make the next publish compile (and precompile the
# CLI, about 1.5 minutes) again
RID_BUILD = $(ARTIFACTS)/build/$(1)
# the CLI for this machine as users get it (Podlift.Cli.csproj says how: one self-contained file, its code precompiled)
PUBLISH_CLI = $(DOTNET) publish Podlift.Cli -c $(CONFIGURATION) -r $(CLI_RID) --artifacts-path $(call RID_BUILD,$(CLI_RID)) -nologo -v q

.PHONY: setup version build publish publish-agent publish-agents publish-cli pack unit e2e test docs demo demo-down bench install uninstall clean

setup: ## install and start what the tests and the demo need (Docker engine, ssh, debootstrap...)
	deploy/testing/ci/setup-host.sh

version: ## the version a build of this tree gets, from git (README: Versions)
	@$(DOTNET) msbuild Podlift.Protocol -t:PodliftVersion -getProperty:InformationalVersion -nologo

build:
	$(DOTNET) build podlift.sln -c $(CONFIGURATION) -nologo -v q

publish: publish-cli

publish-agent: ## the self-contained single-file agent for RID, uploaded by `podlift agent install`
	$(DOTNET) publish Podlift.Agent -c $(CONFIGURATION) -r $(RID) --artifacts-path $(call RID_BUILD,$(RID)) -nologo -v q -o $(ARTIFACTS)/agent/$(RID)
	@ls -l $(AGENT)

publish-agents: ## the agent for every server architecture (AGENT_RIDS)
	@for rid in $(AGENT_RIDS); do $(MAKE) --no-print-directory publish-agent RID=$$rid || exit 1; done

publish-cli: publish-agents ## the self-contained single-file CLI for this machine (CLI_RID), with every agent beside it
	$(PUBLISH_CLI) -o $(ARTIFACTS)/cli
	for rid in $(AGENT_RIDS); do mkdir -p $(ARTIFACTS)/cli/agent/$$rid && cp $(ARTIFACTS)/agent/$$rid/podlift-agent $(ARTIFACTS)/cli/agent/$$rid/; done

pack: publish-agents ## release packages in artifacts/: podlift-<os>-<arch>.tar.gz per CLI_RIDS with install.sh, and the dotnet tool podlift.<version>.nupkg
	DOTNET=$(DOTNET) CONFIGURATION=$(CONFIGURATION) CLI_RIDS="$(CLI_RIDS)" AGENT_RIDS="$(AGENT_RIDS)" RELEASE_URL="$(RELEASE_URL)" deploy/dist/pack.sh $(ARTIFACTS)

unit: ## fast tests: no servers, no Docker
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "Category!=e2e"

e2e: setup pack ## end-to-end tests against real test servers (systemd, sshd, Docker, nginx), and the release packages installed
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "Category=e2e" --logger "console;verbosity=normal"

test: setup pack ## everything: unit and end-to-end, with the release packages (`make pack`, about 6 minutes: each CLI is precompiled) installed and run by the tests
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --logger "console;verbosity=normal" $(TEST_LOGGER_ARGS)

docs: ## docs/configuration.md's reference, rewritten from Podlift.Cli/Configuration/ConfigSchema.cs (`make unit` checks it)
	PODLIFT_WRITE_DOCS=1 $(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "FullyQualifiedName~ConfigurationDocTests"

demo: setup publish ## one local test server: install the agent, deploy the example app, redeploy, roll back
	deploy/testing/demo.sh

demo-down: ## remove the demo's test server
	PREFIX=demo deploy/testing/test-servers/servers.sh down

# BENCH=first BASELINE=<commit>: the first deploy by this code and by that commit's, in turns (docs/performance.md)
# when this make began: `make bench` reports its whole time, setup and publish included (issue 15: inside 10 minutes at BASE_MB=500)
BENCH_MAKE_STARTED := $(shell date +%s.%N)

bench: setup publish-agent ## figures on 3 local test servers (transfer, deploy, rollback, agent), run by the published CLI: a table, artifacts/bench.json
	$(PUBLISH_CLI) -o $(ARTIFACTS)/bench-cli
	$(DOTNET) build Podlift.Bench -c $(CONFIGURATION) -nologo -v q
	mkdir -p $(ARTIFACTS)
	$(if $(BASELINE),CLI_RID=$(CLI_RID) deploy/testing/bench/baseline-cli.sh $(BASELINE) > $(ARTIFACTS)/baseline-cli)
	BENCH_MAKE_STARTED=$(BENCH_MAKE_STARTED) PODLIFT_CLI=$(ARTIFACTS)/bench-cli/podlift $(if $(BASELINE),BASELINE_CLI=$$(cat $(ARTIFACTS)/baseline-cli)) $(DOTNET) run --project Podlift.Bench -c $(CONFIGURATION) --no-build 2> $(ARTIFACTS)/bench.log

install: publish ## `podlift` on PATH, carrying the agent binaries it installs
	install -d $(INSTALL_DIR)/lib/podlift-cli $(INSTALL_DIR)/bin
	cp -r $(ARTIFACTS)/cli/. $(INSTALL_DIR)/lib/podlift-cli/
	ln -sf $(INSTALL_DIR)/lib/podlift-cli/podlift $(INSTALL_DIR)/bin/podlift
	@echo "installed: $(INSTALL_DIR)/bin/podlift"

uninstall:
	rm -f $(INSTALL_DIR)/bin/podlift
	rm -rf $(INSTALL_DIR)/lib/podlift-cli

clean:
	rm -rf $(ARTIFACTS)
	$(DOTNET) clean podlift.sln -nologo -v q
