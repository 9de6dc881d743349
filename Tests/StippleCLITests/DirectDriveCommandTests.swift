import Foundation
import Testing

/// A gpio (direct-drive) machine in the CLI: `machine show` describes it, `run` and `calibrate depth`
/// drive it (its firmware is this process's loop), and what only a controller board has (a USB
/// device, a simulator process, a drive curve, a board self-test) is refused before anything opens.
@Suite("direct-drive machine in the CLI")
struct DirectDriveCommandTests {
    @Test func showPrintsTheDriveAndTheDirectDriveParameters() {
        let r = runCLI(["machine", "show", "direct-d1"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.outLines.contains { $0.hasPrefix("  drive      gpio") })
        #expect(!r.outLines.contains { $0.hasPrefix("  usb ") || $0.hasPrefix("  heartbeat") })
        #expect(r.outLines.contains { $0.contains("charge_pump") && $0.contains("line 18 out") })
        #expect(r.outLines.contains { $0.contains("depth_home") && $0.contains("line 25 in, active-low") })
        #expect(r.outLines.contains("  stepper    400.0 steps/mm, at most 1000 steps/s (2.5 mm/s), acceleration 50.0 mm/s²"))
        #expect(r.outLines.contains("  homing     up to the switch within 3.5 mm, back off 0.2 mm to zero"))
        #expect(r.outLines.contains("  stroke     2000 µs pulse per stroke"))
        #expect(r.outLines.contains("  watchdog   charge pump 250 Hz; drivers disabled after 20 ms without an edge"))
    }

    @Test func aUSBMachineShowsItsDriveAndStillItsHeartbeat() {
        let r = runCLI(["machine", "show", "rotary-r1"])
        #expect(r.status == 0)
        #expect(r.outLines.contains { $0.hasPrefix("  drive      usb") })
        #expect(r.outLines.contains { $0.hasPrefix("  heartbeat  firmware stops and retracts after 50 ms") })
        #expect(!r.outLines.contains { $0.hasPrefix("  stepper") })
    }

    @Test func jsonCarriesDirectDriveAndNoUSB() throws {
        let r = runCLI(["machine", "show", "direct-d1", "--json"])
        #expect(r.status == 0)
        let d = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(d["drive"] as? String == "gpio")
        #expect(d["usb"] == nil && d["heartbeat_deadline_ms"] == nil)
        let dd = try #require(d["direct_drive"] as? [String: Any])
        #expect(dd["charge_pump_hz"] as? Int == 250)
        #expect(dd["max_step_rate_hz"] as? Int == 1000)
    }

    @Test func validateAcceptsTheShippedFile() {
        let r = runCLI(["machine", "validate", "Hardware/machines/direct-d1.toml"])
        #expect(r.status == 0, "\(r.err)")
    }

    @Test func shippedProfilesFitTheDirectDriveMachine() {
        let profiles = ["crown-vertex", "frontal-hairline-soft", "temples"].map { "Hardware/profiles/\($0).toml" }
        let r = runCLI(["profile", "validate"] + profiles + ["--machine", "direct-d1"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.outLines.filter { $0.hasPrefix("ok: ") && $0.contains("runs on direct-d1") }.count == profiles.count)
    }

    /// Commands about a controller board: its simulator process, its USB gadget, its drive curve
    /// and its self-test have nothing to act on in a direct-drive machine.
    static let refusingCommands: [[String]] = [
        ["sim", "serve", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--seconds", "0.1"],
        ["sim", "gadget", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--ffs", "/nonexistent-ffs"],
        ["calibrate", "rate", "--machine", "direct-d1", "--sim", "--technician", "tech-1"],
        ["selftest", "--machine", "direct-d1", "--sim"],
    ]

    @Test(arguments: refusingCommands)
    func boardOnlyCommandsRefuseDirectDrive(_ arguments: [String]) throws {
        // A home of its own, so a command that got as far as the journal would not touch a real one.
        let r = try withTemporaryDirectory { home in runCLI(arguments, environment: ["STIPPLE_HOME": home.path]) }
        #expect(r.status != 0)
        let command = "stipple " + arguments.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
        #expect(r.errorLines.contains {
            $0.hasPrefix("error: \(command) cannot drive direct-d1: it is a direct-drive machine (drive = \"gpio\"), with no controller board; ")
        }, "\(r.err)")
        #expect(r.out.isEmpty || !r.out.contains("pass"), "it did something before refusing: \(r.out)")
    }

    static let refusedRunOptions: [([String], String)] = [
        (["--no-journal", "--sim-socket", "/tmp/none.sock"], "error: --sim-socket talks to a simulated controller board; direct-d1 is a direct-drive machine"),
        (["--no-journal", "--sim", "--sim-error", "offset=0.1"], "error: --sim-error models a controller board's stage-to-needle error;"),
        (["--no-journal", "--sim", "--sim-rate-error", "gain=1.02"], "error: --sim-rate-error models a controller board's stroke drive;"),
        (["--serial", "X1"], "error: --serial and --adopt-endpoints pick a USB device;"),
    ]

    @Test(arguments: refusedRunOptions)
    func runRefusesBoardOptionsOnADirectDriveMachine(_ options: [String], _ message: String) {
        let r = runCLI(["run", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
                        "--zone", "frontal-hairline"] + options)
        #expect(r.status != 0)
        #expect(r.errorLines.contains { $0.hasPrefix(message) }, "\(r.err)")
    }

    @Test func aScriptThatUnplugsACableIsRefusedForADirectDriveMachine() throws {
        let r = try withTemporaryDirectory { dir in
            let script = try dir.write("s.toml", "[[step]]\nat_ms = 0\naction = \"arm\"\n\n[[step]]\nat_ms = 500\naction = \"unplug\"\n")
            return runCLI(["run", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
                           "--zone", "frontal-hairline", "--sim", "--fast", "--no-journal", "--script", script])
        }
        #expect(r.status != 0)
        #expect(r.errorLines.contains { $0.contains("step[1].action (at 500 ms) is about a controller board's USB link") }, "\(r.err)")
    }

    /// The shipped direct-drive session on the simulator: three passes, the loop hang's fault
    /// and its reset, and the hardware's own counts match what the loop made.
    @Test func aScriptedSessionRunsOnTheSimulatedDirectDriveMachine() {
        let r = runCLI(["run", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
                        "--zone", "frontal-hairline", "--sim", "--fast", "--no-journal", "--script", "Examples/direct-drive-session.toml"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.outLines.contains("stipple run: direct-d1 (simulated direct drive, virtual time), client demo-client"))
        #expect(r.outLines.filter { $0.hasPrefix("pass ") }.count == 3)
        #expect(r.outLines.contains { $0.contains("fault 12 loop-stalled") })
        #expect(r.outLines.contains { $0.contains("reset (loop-stalled)") })
        let made = r.outLines.first { $0.hasPrefix("direct drive: the loop made ") }
        let counted = r.outLines.first { $0.hasPrefix("simulated hardware: ") }
        let strokes = made.flatMap { $0.split(separator: " ").dropFirst(5).first }.map(String.init)
        #expect(strokes != nil && counted?.hasPrefix("simulated hardware: \(strokes!) needle strokes, 0 blocked") == true, "\(String(describing: made)) / \(String(describing: counted))")
        #expect(counted?.contains(", 0 lost; charge-pump watchdog tripped 1 time(s)") == true, "\(String(describing: counted))")
        #expect(r.outLines.contains("final state: idle"))
    }

    /// A direct-drive machine is calibrated like any other (its firmware is this process), and a
    /// journaled session then runs through that calibration and verifies.
    @Test func calibrateDepthThenAJournaledRunOnTheSimulatedDirectDriveMachine() throws {
        try withTemporaryDirectory { dir in
            let j = (dir.path as NSString).appendingPathComponent("journal.sqlite")
            for a in [["operator", "add", "tech-1", "--name", "T"], ["operator", "add", "op-1", "--name", "O"],
                      ["client", "add", "c-1", "--name", "C", "--born", "1990-01-01", "--consent", "K1", "--consent-signed", "2025-01-01"],
                      ["pigment", "add", "--brand", "B", "--name", "N", "--batch", "X", "--lot", "L-1", "--expiry", "2099-01-01", "--dilution", "1"]] {
                let r = runCLI(a + ["--journal", j])
                try #require(r.status == 0, "\(a): \(r.err)")
            }
            let cal = runCLI(["calibrate", "depth", "--machine", "direct-d1", "--sim", "--sim-gauge", "--technician", "tech-1",
                              "--gauge", "G1", "--journal", j])
            #expect(cal.status == 0, "\(cal.err)")
            #expect(cal.outLines.contains { $0.hasPrefix("stipple calibrate depth: direct-d1 (simulated direct drive), serial ") })
            #expect(cal.outLines.contains("result: PASS"))
            let run = runCLI(["run", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
                              "--zone", "frontal-hairline", "--sim", "--fast", "--script", "Examples/direct-drive-session.toml",
                              "--client", "c-1", "--operator", "op-1", "--pigment", "L-1", "--cartridge-lot", "CL-1", "--journal", j])
            #expect(run.status == 0, "\(run.err)")
            #expect(run.outLines.contains { $0.hasPrefix("calibration cal-") && $0.contains("applied") })
            #expect(run.outLines.contains("journal: session 1 completed, 3 zone pass(es), in \(j)"))
            let verify = runCLI(["journal", "verify", "--journal", j])
            #expect(verify.status == 0, "\(verify.err)")
        }
    }

    @Test func devicesSaysWhyADirectDriveMachineIsNotOnUSB() {
        let r = runCLI(["devices"])
        #expect(r.outLines.contains("  not on USB: direct-d1 (drive = \"gpio\": driven straight from the GPIO lines by `stipple run`)"))
        #expect(!r.out.contains("looked for") || !r.outLines.first { $0.contains("looked for") }!.contains("direct-d1"))
    }
}
