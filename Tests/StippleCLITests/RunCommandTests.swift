import Foundation
import Testing

@Suite("stipple run")
struct RunCommandTests {
    static let crown = ["run", "--machine", "rotary-r1", "--cartridge", "3RL-0.25", "--profile", "crown-vertex", "--zone", "crown"]

    static let session = """
        [[step]]
        at_ms = 100
        action = "arm"
        [[step]]
        at_ms = 300
        action = "pedal-down"
        [[step]]
        at_ms = 2300
        action = "pedal-up"
        """

    @Test func aScriptedSimulatedRunReportsEveryPass() throws {
        try withTemporaryDirectory { dir in
            let script = try dir.write("s.toml", Self.session)
            // Without a journal: this is about the report (RunJournalingTests covers the record).
            let r = runCLI(Self.crown + ["--sim", "--script", script, "--fast", "--no-journal"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("pass 1  crown  profile crown-vertex  cartridge 3RL-0.25"))
            #expect(r.out.contains("00:00.300 - 00:02.300  2.00 s"))
            #expect(r.out.contains("rate    mean 115.0 Hz"))
            #expect(r.out.contains("stop  pedal-released"))
            #expect(r.out.contains("final state: armed"))
        }
    }

    @Test func aSessionLeftFaultedExits1AndSaysWhy() throws {
        try withTemporaryDirectory { dir in
            let script = try dir.write("s.toml", Self.session.replacingOccurrences(of: "action = \"pedal-up\"", with: "action = \"cartridge-pull\""))
            let r = runCLI(Self.crown + ["--sim", "--script", script, "--fast", "--no-journal"])
            #expect(r.status == 1)
            #expect(r.out.contains("stop  cartridge-removed"))
            #expect(r.out.contains("final state: fault (cartridge-removed): the cartridge came out mid-pass"))
        }
    }

    @Test func aProfileThatDoesNotFitIsRefusedBeforeAnythingRuns() {
        let r = runCLI(["run", "--machine", "rotary-r1", "--cartridge", "1RL-0.18", "--profile", "crown-vertex",
                        "--zone", "crown", "--sim"])
        #expect(r.status == 1)
        #expect(r.err.contains("does not list cartridge 1RL-0.18"))
        #expect(!r.out.contains("stipple run:"), "nothing started")
    }

    @Test func aScriptZoneChangeThatDoesNotFitIsRefusedUpFront() throws {
        try withTemporaryDirectory { dir in
            let script = try dir.write("s.toml", """
                [[step]]
                at_ms = 5000
                action = "select"
                zone = "frontal-hairline"
                profile = "frontal-hairline-soft"
                """)
            let r = runCLI(Self.crown + ["--sim", "--script", script, "--fast"])
            #expect(r.status == 1)
            #expect(r.err.contains("does not list cartridge 3RL-0.25") && r.err.contains("step[0] at 5000 ms"))
        }
    }

    @Test func onHardwareAScriptMayNotPressTheSimulatedPedal() throws {
        try withTemporaryDirectory { dir in
            let script = try dir.write("s.toml", Self.session)
            let r = runCLI(Self.crown + ["--script", script])
            #expect(r.status == 1)
            #expect(r.err.contains("step[1] at 300 ms (pedalDown) drives a simulated input"))
        }
    }

    @Test func onHardwareAMissingGPIOChipIsExplained() throws {
        guard !FileManager.default.fileExists(atPath: "/dev/gpiochip0") else { return }
        try withTemporaryDirectory { dir in
            // A real machine is always journaled: the journal checks pass, then the GPIO chip is
            // missing, and the rehearsed session leaves nothing behind.
            let clinic = try ClinicJournal(dir)
            let before = try clinic.ledgerLength()
            let script = try dir.write("s.toml", "[[step]]\nat_ms = 100\naction = \"arm\"\n")
            let r = runCLI(Self.crown + ["--script", script] + ClinicJournal.runOptions(), environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.err.contains("cannot open the GPIO lines of rotary-r1 on gpiochip0") && r.err.contains("stipple devices"))
            #expect(try clinic.ledgerLength() == before)
        }
    }

    @Test(arguments: [
        (["--sim", "--sim-socket", "/tmp/x"], "choose --sim or --sim-socket"),
        (["--sim", "--fast"], "--fast needs --script"),
        (["--sim", "--serial", "A1"], "--serial picks a machine on USB"),
        (["--sim", "--adopt-endpoints"], "--adopt-endpoints is about a USB device's endpoints"),
        (["--sim-socket", "/tmp/x", "--adopt-endpoints"], "--adopt-endpoints is about a USB device's endpoints"),
    ])
    func conflictingOptionsAreUsageErrors(extra: [String], message: String) {
        let r = runCLI(Self.crown + extra)
        #expect(r.status != 0)
        #expect(r.err.contains(message), "\(r.err)")
    }
}
