import ArgumentParser

/// `stipple selftest`: checks a machine end to end before it treats anyone, and fails loudly.
struct SelftestCommand: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Self-test a machine: link, identify, cartridge, telemetry, refresh deadline, e-stop path.",
        discussion: """
            Fit a cartridge first: the test arms the machine and runs the motor with the needle retracted. \
            Rows: identify (protocol version and message table match), link (--round-trips commands one at \
            a time: none may be lost; RTT p50/p99), cartridge (cartridge_info present and matching the \
            cartridge_present line), telemetry (rate, gaps, device clock, stroke rate and current while \
            running), deadline (heartbeats stopped on purpose while running: the firmware must report \
            heartbeat-timeout and drop the drive within its deadline), e-stop (only on a test jig whose \
            machine file has a jig_enable_sense line wired back from motor_enable: the e-stop edge must \
            drop the line; on real hardware you are asked to press the e-stop; without the line the row \
            is skipped, not failed). Exit 1 when any row fails.
            """)

    @OptionGroup var bench: BenchOptions
    @Option(name: .customLong("round-trips"), help: "Commands sent one at a time for the link check.") var roundTrips = 200

    func validate() throws {
        if roundTrips < 1 || roundTrips > 100_000 { throw ValidationError("--round-trips \(roundTrips): give 1 to 100000") }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let bench = try self.bench.open(in: ctx, for: "selftest")
        defer { bench.close() }
        ctx.print("stipple selftest: \(bench.machine.name) (\(bench.description))")
        let rows = Selftest(roundTrips: roundTrips, prompt: { ctx.print(">> " + $0) }).run(on: bench)
        ctx.print("")
        renderTable(["CHECK", "RESULT", "DETAIL"], rows.map { [$0.name, $0.verdict.rawValue, $0.detail] }).forEach(ctx.print)
        let failed = rows.filter { $0.verdict == .fail }
        ctx.print("")
        if failed.isEmpty {
            ctx.print("selftest: pass (\(rows.filter { $0.verdict == .skipped }.count) skipped)")
            return .success
        }
        ctx.print("selftest: FAIL")
        ctx.printError("error: selftest of \(bench.machine.name) (\(failed.map(\.name).joined(separator: ", "))): \(failed.count) check(s) failed, see the table. Do not treat with this machine until they pass")
        return .invalidInput
    }
}
