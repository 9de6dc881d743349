# Stipple: two commands on a fresh Debian/Ubuntu machine — `make demo` and `make test`.
# Both install missing apt packages first, then build.
SHELL := /bin/bash
SWIFT ?= swift
STIPPLE = .build/debug/stipple
# make demo journals into a fresh folder each run (deleted first), never the user's own journal.
DEMO_DIR = .build/demo
DEMO_JOURNAL = $(DEMO_DIR)/journal.sqlite
# The simulated machine's stage-to-needle error in the demo (the readings in
# Examples/depth-measurements.toml were taken from it).
DEMO_DEPTH_ERROR = offset=0.18,scale=1.035,quadratic=0.012,backlash=0.02,noise=0.003
DEMO_RATE_ERROR = gain=1.03,offset=-2

.PHONY: deps build test safety demo bench fuzz clean rig-setup rig-test screenshots

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/swift-build-clean.sh

test: deps
	@scripts/swift-build-clean.sh --build-tests
	@# The two minute-long tests (the 200-kill crash test, the 4-hour virtual session) block a
	@# thread each for their whole run; in one process they took both of Swift Testing's threads
	@# on a 2-core machine and every other test waited past its time limit. Each runs in a process
	@# of its own (the session's memory check reads the process's resident size, too).
	@# The console's browser test runs Chromium, which would load the cores under the timing tests.
	$(SWIFT) test --skip-build --skip "JournalKillTests|LongSessionTests|BrowserSessionTests"
	$(SWIFT) test --skip-build --filter BrowserSessionTests
	$(SWIFT) test --skip-build --filter LongSessionTests
	$(SWIFT) test --skip-build --filter JournalKillTests
	@echo "== protocol vectors are what the independent generator makes"
	python3 Firmware-Protocol/tools/gen_vectors.py --check
	@echo "== C reference codec self-test (plain C99, no Swift)"
	$(MAKE) -s -C Firmware-Protocol/c selftest

# The safety case (docs/SAFETY.md): runs exactly the tests its hazard table names, with each
# test's measured figure recorded, and prints every row's figure next to its bound and a verdict.
safety: deps
	@scripts/swift-build-clean.sh --build-tests
	python3 scripts/safety.py

# The README's console screenshots, retaken by the browser test against `stipple console --sim`.
screenshots: deps
	@scripts/swift-build-clean.sh --build-tests
	STIPPLE_UPDATE_SCREENSHOTS=1 $(SWIFT) test --skip-build --filter BrowserSessionTests

demo: build
	@echo "== Stipple $$($(STIPPLE) version | head -1): a scripted multi-zone session on the simulated machine =="
	@echo; echo "-- the hardware files it runs with, validated --"
	@$(STIPPLE) machine validate Hardware/machines/*.toml
	@$(STIPPLE) profile validate Hardware/profiles/*.toml
	@echo; echo "-- a bad profile is refused with every error listed (exit 1 expected) --"
	@$(STIPPLE) profile validate Examples/bad-profile.toml --machine rotary-r1 --cartridge 1RL-0.25; \
	  status=$$?; echo "exit status $$status"; test $$status -eq 1
	@echo; echo "-- a fresh journal in $(DEMO_JOURNAL): the clinic registers client (with consent), operator, pigment lot --"
	@rm -rf $(DEMO_DIR)
	$(STIPPLE) client add demo-client --name "Demo Client" --born 1990-05-17 \
	  --consent DEMO-CONSENT-1 --consent-signed 2025-01-15 --journal $(DEMO_JOURNAL)
	$(STIPPLE) operator add demo-operator --name "Demo Operator" --journal $(DEMO_JOURNAL)
	$(STIPPLE) pigment add --brand "Demo Pigments" --name "Dark Brown 2" --batch B-2025-11 --lot DEMO-LOT-1 \
	  --expiry 2099-12-31 --dilution 1 --journal $(DEMO_JOURNAL)
	$(STIPPLE) operator add demo-technician --name "Demo Technician" --journal $(DEMO_JOURNAL)
	@echo; echo "-- an uncalibrated machine is refused before it is touched (exit 1 expected) --"
	@$(STIPPLE) run --machine rotary-r1 --cartridge 1RL-0.20 --profile frontal-hairline-soft \
	  --zone frontal-hairline --sim --script Examples/demo-session.toml --fast \
	  --client demo-client --operator demo-operator --pigment DEMO-LOT-1 --cartridge-lot DEMO-CL-1 \
	  --journal $(DEMO_JOURNAL); status=$$?; echo "exit status $$status"; test $$status -eq 1
	@echo; echo "-- the technician calibrates its depth: the simulated stage is off by $(DEMO_DEPTH_ERROR); gauge readings from Examples/depth-measurements.toml --"
	$(STIPPLE) calibrate depth --machine rotary-r1 --sim --sim-error $(DEMO_DEPTH_ERROR) \
	  --measurements Examples/depth-measurements.toml --technician demo-technician --gauge DEMO-GAUGE-1 \
	  --journal $(DEMO_JOURNAL)
	@echo; echo "-- and its stroke rate: the simulated drive runs $(DEMO_RATE_ERROR) off; measured from telemetry --"
	$(STIPPLE) calibrate rate --machine rotary-r1 --sim --sim-rate-error $(DEMO_RATE_ERROR) \
	  --technician demo-technician --journal $(DEMO_JOURNAL)
	@echo; echo "-- the signed records, and what is in force --"
	$(STIPPLE) calibration history --journal $(DEMO_JOURNAL)
	$(STIPPLE) calibration show --journal $(DEMO_JOURNAL)
	@echo; echo "-- session: hairline, temples (with an e-stop), crown; Examples/demo-session.toml, virtual time, journaled, depths through the calibration --"
	$(STIPPLE) run --machine rotary-r1 --cartridge 1RL-0.20 --profile frontal-hairline-soft \
	  --zone frontal-hairline --sim --sim-error $(DEMO_DEPTH_ERROR) --sim-rate-error $(DEMO_RATE_ERROR) \
	  --script Examples/demo-session.toml --fast \
	  --client demo-client --operator demo-operator --pigment DEMO-LOT-1 --cartridge-lot DEMO-CL-1 \
	  --journal $(DEMO_JOURNAL)
	@echo; echo "-- a direct-drive machine (direct-d1, no controller board): Stipple's loop makes every stroke pulse and step; calibrated, then hairline and crown, with a loop hang the charge-pump watchdog stops (Examples/direct-drive-session.toml) --"
	@# Its fit is the identity (the simulated stage is where its steps put it): the verdict is enough.
	set -o pipefail; $(STIPPLE) calibrate depth --machine direct-d1 --sim --sim-gauge --technician demo-technician \
	  --gauge DEMO-GAUGE-1 --journal $(DEMO_JOURNAL) | tail -3
	$(STIPPLE) run --machine direct-d1 --cartridge 1RL-0.20 --profile frontal-hairline-soft \
	  --zone frontal-hairline --sim --script Examples/direct-drive-session.toml --fast \
	  --client demo-client --operator demo-operator --pigment DEMO-LOT-1 --cartridge-lot DEMO-CL-2 \
	  --journal $(DEMO_JOURNAL)
	@echo; echo "-- the client file --"
	@$(STIPPLE) client show demo-client --journal $(DEMO_JOURNAL)
	@echo; echo "-- the record proves itself: the journal's chain and seals, then an export checked offline --"
	$(STIPPLE) journal verify --journal $(DEMO_JOURNAL)
	@# The journal is made afresh above, so the demo session is session 1.
	$(STIPPLE) session export 1 --format html -o $(DEMO_DIR)/session-1.html --journal $(DEMO_JOURNAL)
	$(STIPPLE) session export 1 --format fhir -o $(DEMO_DIR)/session-1.fhir.json --journal $(DEMO_JOURNAL)
	$(STIPPLE) session export 1 --format json -o $(DEMO_DIR)/session-1.json --journal $(DEMO_JOURNAL)
	$(STIPPLE) journal verify --file $(DEMO_DIR)/session-1.json
	@echo; echo "journal: $(DEMO_JOURNAL) (signing key next to it); for the client file: $(DEMO_DIR)/session-1.html and session-1.fhir.json"

# Figures, not pass/fail (about a minute): Swift vs C codec throughput ratio and allocations per
# frame (wire); real-time loop wake-up lateness, Swift vs the C loop in Benchmarks/rt-loop-c (rt;
# SCHED_FIFO and mlockall need root or CAP_SYS_NICE + CAP_IPC_LOCK, else it warns and runs);
# e-stop edge to motor_enable write latency (estop); journal pass commits vs raw SQLite and
# telemetry ingest with the loop running (journal); direct-drive stroke_pulse edge timing (edges):
# p50/p99/max of (clock after the line write - planned edge instant) for RealTimeLoop firing a
# 150 Hz, 2000 µs pulse train between its 1 kHz cycles vs Benchmarks/stroke-edges-c doing the same,
# and the Swift/C ratios (the machine is shared: read ratios, not absolutes); the line is in memory
# unless `stipple-bench edges --chip gpiochipN --line OFFSET` names a real one (libgpiod, both
# sides; on the rig's gpio-sim: Hardware/rig/guest/stroke-edges.sh). `stipple-bench rt` runs one.
bench: deps
	@scripts/swift-build-clean.sh -c release --product stipple-bench
	cc -O2 -Wall -Wextra -o .build/release/rt-loop-c Benchmarks/rt-loop-c/rt_loop.c
	cc -O2 -Wall -Wextra -o .build/release/stroke-edges-c Benchmarks/stroke-edges-c/stroke_edges.c -lgpiod
	.build/release/stipple-bench

# libFuzzer on the Swift and the C frame decoders, FUZZ_SECONDS each (default 60).
fuzz: deps
	Firmware-Protocol/fuzz/run.sh

# Hardware-in-the-loop rig (Hardware/rig/README.md): a QEMU guest with Debian's kernel, a simulated
# GPIO chip and a USB gadget. rig-setup is one-time and idempotent (root: apt, kernel headers);
# rig-test builds Stipple and its tests, then boots the guest for the rig's own smoke test, then
# for Stipple on its real backends (libgpiod on gpio-sim, libusb to `stipple sim gadget`).
rig-setup: deps
	@Hardware/rig/setup.sh

rig-test: build rig-setup
	@scripts/swift-build-clean.sh --build-tests
	Hardware/rig/run-guest.sh Hardware/rig/guest/smoke.sh
	Hardware/rig/run-guest.sh Hardware/rig/guest/stipple-hil.sh

clean:
	rm -rf .build .build-fuzz
