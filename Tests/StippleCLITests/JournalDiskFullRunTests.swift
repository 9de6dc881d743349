import Foundation
import StippleJournal
import StippleSafetyEvidence
import Testing

/// The disk fills while a real `stipple run` journals a session on the simulated machine, in real
/// time: the process runs under a file-size limit (`ulimit -f`, SIGXFSZ ignored, so SQLite's write
/// fails with EFBIG as it would on a full disk). The run must stop arming at the failure (the
/// machine ends idle, no pass after the one the failure hit), say so and exit 1; the passes it
/// reported committed stay, and the next writer closes the session as interrupted.
@Suite("Disk full while stipple run journals", .timeLimit(.minutes(2)))
struct JournalDiskFullRunTests {
    /// bash's `ulimit -f` counts 1024-byte blocks: room for the session and a few passes in the WAL.
    static let limitKiB = 100
    static let passes = 10

    @Test func aRunWhoseDiskFillsStopsArmingAndKeepsItsCommittedPasses() throws {
        let binary = try JournalKillTests.stippleBinary()
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            var script = "[[step]]\nat_ms = 100\naction = \"arm\"\n"
            for k in 0..<Self.passes {
                script += "[[step]]\nat_ms = \(200 + k * 300)\naction = \"pedal-down\"\n[[step]]\nat_ms = \(400 + k * 300)\naction = \"pedal-up\"\n"
            }
            let scriptPath = try dir.write("full.toml", script)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", "trap '' XFSZ; ulimit -f \(Self.limitKiB); exec \"$0\" \"$@\"", binary]
                + RunCommandTests.crown + ["--sim", "--script", scriptPath, "--journal", clinic.path]
                + ClinicJournal.runOptions(cartridgeID: 7)
            p.environment = [:]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            try out.fileHandleForWriting.close()
            try err.fileHandleForWriting.close()
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()

            #expect(p.terminationStatus == 1, "exit \(p.terminationStatus): \(stderr)")
            #expect(stderr.contains("the journal failed mid-session, so arming was stopped"), "\(stderr)")
            let lines = stdout.split(separator: "\n")
            let committed = lines.filter { $0.hasPrefix("journal: pass ") && $0.hasSuffix(" committed") }.count
            let needled = lines.filter { $0.hasPrefix("pass ") }.count
            #expect(committed >= 1 && committed < Self.passes, "the journal filled after \(committed) passes")
            #expect(lines.contains("final state: idle"), "disarmed at the failure:\n\(stdout)")
            let afterFailure = max(0, needled - committed - 1)
            #expect(afterFailure == 0, "\(needled) passes needled, \(committed) committed")

            let j = try Journal.open(at: clinic.path)
            let session = try #require(try j.sessions().first)
            let kept = try j.session(id: session.id).passes.map(\.ordinal)
            #expect(kept == Array(1..<(committed + 1)), "every pass reported committed is kept")
            try j.close()
            let next = try JournalWriter.open(at: clinic.path)
            #expect(next.recoveredSessions.map(\.sessionID) == [session.id])
            try next.close()
            let after = try Journal.open(at: clinic.path)
            #expect(try after.session(id: session.id).summary.status == .interrupted)
            #expect(try after.verify().isValid)
            try after.close()
            SafetyEvidence.record(hazard: "disk-full", what: "passes needled after the one the full disk hit", measured: Double(afterFailure),
                                  bound: 0, unit: "passes")
            SafetyEvidence.record(hazard: "disk-full", what: "committed passes lost", measured: Double(max(0, committed - kept.count)),
                                  bound: 0, unit: "passes")
        }
    }
}
