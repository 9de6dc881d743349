import Foundation
import Testing

/// `stipple selftest` against the built-in simulator: every row passing on a healthy machine,
/// and each row failing when its fault is injected.
@Suite("stipple selftest", .timeLimit(.minutes(2)))
struct SelftestTests {
    static let base = ["selftest", "--machine", "rotary-r1", "--sim", "--round-trips", "50"]

    /// rotary-r1 on a self-test jig: its enable output wired back to line 5.
    static func jigMachine(in dir: TemporaryDirectory) throws -> [String] {
        let text = try String(contentsOfFile: Shipped.path("machines", "rotary-r1"), encoding: .utf8)
            .replacingOccurrences(of: "name = \"rotary-r1\"", with: "name = \"rotary-r1-jig\"")
            .replacingOccurrences(of: "status_led = { offset = 24, active_low = false }",
                                  with: "status_led = { offset = 24, active_low = false }\njig_enable_sense = { offset = 5, active_low = false }")
        try dir.write("machines/rotary-r1-jig.toml", text)
        return ["selftest", "--machine", "rotary-r1-jig", "--config-dir", dir.path, "--sim", "--round-trips", "50"]
    }

    static func verdict(_ r: CLIResult, _ row: String) -> String? {
        r.row(row).flatMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
    }

    @Test func aHealthyMachineOnAJigPassesEveryRow() throws {
        try withTemporaryDirectory { dir in
            let r = runCLI(try Self.jigMachine(in: dir))
            #expect(r.status == 0, "\(r.out)\n\(r.err)")
            for row in ["identify", "link", "cartridge", "telemetry", "deadline", "e-stop"] {
                #expect(Self.verdict(r, row) == "pass", "\(row): \(r.out)")
            }
            #expect(r.row("link")?.contains("50 commands, 0 lost") == true)
            #expect(r.row("e-stop")?.contains("e-stop edge to enable line low 1.00 ms") == true, "\(r.out)")
            #expect(r.out.contains("selftest: pass (0 skipped)"))
        }
    }

    @Test func theDeadlineRowMeasuresTheFirmwareStoppingWithinItsDeadline() throws {
        let r = runCLI(Self.base)
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        let row = try #require(r.row("deadline"))
        // rotary-r1's deadline is 50 ms; the simulated firmware checks every 100 µs.
        #expect(row.contains("latched heartbeat-timeout after 50 ms of silence (deadline 50 ms)"), "\(row)")
    }

    @Test func withoutAJigLineTheEStopRowIsSkippedNotFailed() {
        let r = runCLI(Self.base)
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(Self.verdict(r, "e-stop") == "skipped")
        #expect(r.row("e-stop")?.contains("skipped: no jig line") == true)
        #expect(r.out.contains("selftest: pass (1 skipped)"))
    }

    @Test func aFirmwareThatIgnoresItsDeadlineFailsTheDeadlineRow() {
        let r = runCLI(Self.base + ["--sim-fault", "ignore-deadline"])
        #expect(r.status == 1)
        #expect(Self.verdict(r, "deadline") == "FAIL", "\(r.out)")
        #expect(r.row("deadline")?.contains("the firmware does not enforce its refresh deadline") == true)
        #expect(Self.verdict(r, "telemetry") == "pass")
        #expect(r.errorLines.first?.hasPrefix("error: selftest of rotary-r1 (deadline): 1 check(s) failed") == true, "\(r.err)")
    }

    @Test func anUnresponsiveFirmwareFailsTheLinkRowWithLostCommands() {
        let r = runCLI(Self.base + ["--sim-fault", "unresponsive", "--round-trips", "5"])
        #expect(r.status == 1)
        #expect(Self.verdict(r, "identify") == "pass")
        #expect(Self.verdict(r, "link") == "FAIL", "\(r.out)")
        // The reliable link gives up within its retransmissions, before the round trips are through.
        #expect(r.row("link")?.contains("the machine stopped answering") == true, "\(r.out)")
        #expect(Self.verdict(r, "cartridge") == "FAIL")
    }

    @Test func aPulledCartridgeFailsTheCartridgeRow() {
        let r = runCLI(Self.base + ["--sim-fault", "cartridge-pulled"])
        #expect(r.status == 1)
        #expect(Self.verdict(r, "cartridge") == "FAIL", "\(r.out)")
        #expect(r.row("cartridge")?.contains("no cartridge: firmware reports none, cartridge_present line inactive") == true)
    }

    @Test func stalledTelemetryFailsTheTelemetryRow() {
        let r = runCLI(Self.base + ["--sim-fault", "telemetry-stalled"])
        #expect(r.status == 1)
        #expect(Self.verdict(r, "telemetry") == "FAIL", "\(r.out)")
        #expect(r.row("telemetry")?.contains("the firmware's telemetry has stalled") == true)
    }

    @Test func aBrokenJigWireFailsTheEStopRow() throws {
        try withTemporaryDirectory { dir in
            let r = runCLI(try Self.jigMachine(in: dir) + ["--sim-fault", "jig-broken"])
            #expect(r.status == 1)
            #expect(Self.verdict(r, "e-stop") == "FAIL", "\(r.out)")
            #expect(r.row("e-stop")?.contains("jig_enable_sense stayed inactive") == true)
        }
    }
}
