# podlift: build, test and try it on local test servers. See README.md and docs/.
SHELL := /bin/bash
RID ?= linux-x64
CONFIGURATION ?= Release
ARTIFACTS := $(CURDIR)/artifacts
AGENT := $(ARTIFACTS)/agent/$(RID)/podlift-agent
INSTALL_DIR ?= /usr/local
DOTNET ?= dotnet
TEST_LOGGER_ARGS ?=

.PHONY: setup version build publish publish-agent publish-cli unit e2e test docs demo demo-down bench install uninstall clean

setup: ## install and start what the tests and the demo need (Docker engine, ssh, debootstrap...)
	deploy/testing/ci/setup-host.sh

version: ## the version a build of this tree gets, from git (README: Versions)
	@$(DOTNET) msbuild Podlift.Protocol -t:PodliftVersion -getProperty:InformationalVersion -nologo

build:
	$(DOTNET) build podlift.sln -c $(CONFIGURATION) -nologo -v q

publish: publish-agent publish-cli

publish-agent: ## the self-contained single-file agent, uploaded by `podlift agent install`
	$(DOTNET) publish Podlift.Agent -c $(CONFIGURATION) -r $(RID) -nologo -v q -o $(ARTIFACTS)/agent/$(RID)
	@ls -l $(AGENT)

publish-cli: ## the self-contained single-file CLI, with the agent beside it
	$(DOTNET) publish Podlift.Cli -c $(CONFIGURATION) -r $(RID) -nologo -v q --self-contained -p:PublishSingleFile=true -o $(ARTIFACTS)/cli
	mkdir -p $(ARTIFACTS)/cli/agent/$(RID) && cp $(AGENT) $(ARTIFACTS)/cli/agent/$(RID)/

unit: ## fast tests: no servers, no Docker
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "Category!=e2e"

e2e: setup publish-agent ## end-to-end tests against real test servers (systemd, sshd, Docker, nginx)
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "Category=e2e" --logger "console;verbosity=normal"

test: setup publish-agent ## everything: unit and end-to-end
	$(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --logger "console;verbosity=normal" $(TEST_LOGGER_ARGS)

docs: ## docs/configuration.md's reference, rewritten from Podlift.Cli/Configuration/ConfigSchema.cs (`make unit` checks it)
	PODLIFT_WRITE_DOCS=1 $(DOTNET) test Podlift.Tests -c $(CONFIGURATION) -nologo --filter "FullyQualifiedName~ConfigurationDocTests"

demo: setup publish ## one local test server: install the agent, deploy the example app, redeploy, roll back
	deploy/testing/demo.sh

demo-down: ## remove the demo's test server
	PREFIX=demo deploy/testing/test-servers/servers.sh down

bench: setup publish-agent ## figures on 3 local test servers (transfer, deploy, rollback, agent): a table, artifacts/bench.json
	$(DOTNET) build Podlift.Bench -c $(CONFIGURATION) -nologo -v q
	mkdir -p $(ARTIFACTS)
	$(DOTNET) run --project Podlift.Bench -c $(CONFIGURATION) --no-build 2> $(ARTIFACTS)/bench.log

install: publish ## `podlift` on PATH, carrying the agent binary it installs
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
