# Stipple: two commands on a fresh Debian/Ubuntu machine — `make demo` and `make test`.
# Both install missing apt packages first, then build.
SHELL := /bin/bash
SWIFT ?= swift
STIPPLE = .build/debug/stipple

.PHONY: deps build test demo clean

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/swift-build-clean.sh

test: deps
	@scripts/swift-build-clean.sh --build-tests
	$(SWIFT) test --skip-build

demo: build
	@echo "== Stipple $$($(STIPPLE) version | head -1): built-in hardware descriptions =="
	@echo; echo "-- machines --"; $(STIPPLE) machine list
	@echo; echo "-- cartridges --"; $(STIPPLE) cartridge list
	@echo; echo "-- depth profiles (where each can run) --"; $(STIPPLE) profile list
	@echo; echo "-- validating the shipped files --"
	@$(STIPPLE) machine validate Hardware/machines/*.toml
	@$(STIPPLE) profile validate Hardware/profiles/*.toml
	@echo; echo "-- a bad profile is refused with every error listed (exit 1 expected) --"
	@$(STIPPLE) profile validate Examples/bad-profile.toml --machine rotary-r1 --cartridge 1RL-0.25; \
	  status=$$?; echo "exit status $$status"; test $$status -eq 1

clean:
	rm -rf .build
