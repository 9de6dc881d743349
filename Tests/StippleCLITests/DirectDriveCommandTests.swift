import Foundation
import Testing

/// A gpio (direct-drive) machine is a valid file that `machine show` describes, while every command
/// that would drive, simulate or probe it refuses before touching anything (issue 8 item 1).
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

    static let refusingCommands: [[String]] = [
        ["run", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
         "--zone", "frontal-hairline", "--sim"],
        ["sim", "serve", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--seconds", "0.1"],
        ["sim", "gadget", "--machine", "direct-d1", "--cartridge", "1RL-0.20", "--ffs", "/nonexistent-ffs"],
        ["calibrate", "depth", "--machine", "direct-d1", "--sim", "--technician", "tech-1", "--gauge", "g-1"],
        ["calibrate", "rate", "--machine", "direct-d1", "--sim", "--technician", "tech-1"],
        ["selftest", "--machine", "direct-d1", "--sim"],
    ]

    @Test(arguments: refusingCommands)
    func commandsThatDriveAMachineRefuseDirectDrive(_ arguments: [String]) throws {
        // A home of its own, so a command that got as far as the journal would not touch a real one.
        let r = try withTemporaryDirectory { home in runCLI(arguments, environment: ["STIPPLE_HOME": home.path]) }
        #expect(r.status != 0)
        let command = "stipple " + arguments.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
        #expect(r.errorLines.contains {
            $0.hasPrefix("error: \(command) cannot drive direct-d1 (drive = \"gpio\"): direct drive is not implemented yet (issue 8)")
                && $0.hasSuffix("Use a machine with drive = \"usb\"")
        }, "\(r.err)")
        #expect(r.out.isEmpty || !r.out.contains("pass"), "it did something before refusing: \(r.out)")
    }

    @Test func devicesSaysWhyADirectDriveMachineIsNotOnUSB() {
        let r = runCLI(["devices"])
        #expect(r.outLines.contains("  not on USB: direct-d1 (drive = \"gpio\"; direct drive is not implemented yet, issue 8)"))
        #expect(!r.out.contains("looked for") || !r.outLines.first { $0.contains("looked for") }!.contains("direct-d1"))
    }
}
