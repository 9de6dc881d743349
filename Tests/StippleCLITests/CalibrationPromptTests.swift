import Foundation
import StippleJournal
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7 part 6, interactive mode: the built `stipple` binary on a pseudo-terminal prompts for
/// each gauge reading, re-asks after a typo, and passes with readings a technician would type.
@Suite("Depth calibration at the terminal prompt", .timeLimit(.minutes(1)))
struct CalibrationPromptTests {
    /// The simulated machine's error, and the needle depth a perfect gauge would read there.
    static let error = "offset=0.15,scale=1.03,backlash=0.02"
    static func truth(stage: Double, deeper: Bool) -> Double { 0.15 + 1.03 * stage + (deeper ? -0.01 : 0.01) }

    @Test func theTechnicianTypesEachReadingAtThePromptAndTheCalibrationPasses() throws {
        let binary = try JournalKillTests.stippleBinary()
        try withTemporaryDirectory { dir in
            let env = ["STIPPLE_HOME": dir.path("home")]
            #expect(runCLI(["operator", "add", "tech-1"], environment: env).status == 0)

            let pty = try #require(PseudoTerminalCalls())
            let master = pty.openpt(O_RDWR | O_NOCTTY)
            try #require(master >= 0)
            defer { close(master) }
            try #require(pty.grantpt(master) == 0 && pty.unlockpt(master) == 0)
            let slavePath = String(cString: try #require(pty.ptsname(master)))
            let slave = open(slavePath, O_RDWR | O_NOCTTY)
            try #require(slave >= 0)

            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["calibrate", "depth", "--machine", "rotary-r1", "--sim", "--sim-error", Self.error,
                           "--technician", "tech-1", "--gauge", "G-pty"]
            p.environment = env
            let tty = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
            p.standardInput = tty
            p.standardOutput = tty
            p.standardError = tty
            try p.run()
            try? tty.close()

            var transcript = ""
            var answered = 0
            var typoSent = false
            var scanned = transcript.startIndex
            let deadline = Date().addingTimeInterval(30)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 100) > 0 {
                    let n = read(master, &buffer, buffer.count)
                    if n <= 0 { break }  // EIO once the child has closed the terminal
                    transcript += String(decoding: buffer[0..<n], as: UTF8.self)
                } else if !p.isRunning {
                    break
                }
                // Answer every complete prompt not answered yet.
                while let prompt = transcript.range(of: "Gauge reading in mm (q to stop):", range: scanned..<transcript.endIndex) {
                    let lineStart = transcript[..<prompt.lowerBound].lastIndex(where: { $0 == "\n" || $0 == "\r\n" }).map { transcript.index(after: $0) } ?? transcript.startIndex
                    let line = transcript[lineStart..<prompt.lowerBound]
                    scanned = prompt.upperBound
                    // "reading 3/16: stage at 0.75 mm, going deeper. " (the terminal ends lines with "\r\n")
                    let words = line.split(separator: " ")
                    guard let at = words.firstIndex(of: "at"), let stage = Double(words[at + 1]) else { continue }
                    let deeper = line.contains("going deeper")
                    // The first prompt gets a typo (a decimal comma); it must be asked again.
                    let reply = typoSent ? String(format: "%.3f\n", Self.truth(stage: stage, deeper: deeper)) : "0,45\n"
                    if typoSent { answered += 1 }
                    typoSent = true
                    _ = reply.withCString { write(master, $0, strlen($0)) }
                }
            }
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(transcript)")
            #expect(answered == 16)
            #expect(transcript.contains("\"0,45\" is not a reading in mm (e.g. 0.731); again"))
            #expect(transcript.contains("result: PASS"))
            // Readings typed to the micrometre recover the machine's 0.15 mm + 1.03 x stage.
            let fit = try #require(transcript.split(whereSeparator: \.isNewline).first { $0.hasPrefix("fit: needle = ") })
            let words = fit.split(separator: " ")
            let offset = try #require(Double(words[3])), scale = try #require(Double(words[6]))
            #expect(abs(offset - 0.15) < 0.001 && abs(scale - 1.03) < 0.001, "\(fit)")
            let j = try Journal.open(at: dir.path("home/journal.sqlite"))
            let record = try #require(try j.calibrations().first)
            #expect(record.payload.contains("gauge prompt"))
        }
    }
}

/// glibc declares posix_openpt, grantpt, unlockpt and ptsname only under _XOPEN_SOURCE, which the
/// Glibc module is not built with: look them up in the C library at run time instead.
struct PseudoTerminalCalls {
    let openpt: @convention(c) (Int32) -> Int32
    let grantpt: @convention(c) (Int32) -> Int32
    let unlockpt: @convention(c) (Int32) -> Int32
    let ptsname: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    init?() {
        let handle = dlopen(nil, RTLD_NOW)
        guard let o = dlsym(handle, "posix_openpt"), let g = dlsym(handle, "grantpt"), let u = dlsym(handle, "unlockpt"),
              let n = dlsym(handle, "ptsname") else { return nil }
        openpt = unsafeBitCast(o, to: (@convention(c) (Int32) -> Int32).self)
        grantpt = unsafeBitCast(g, to: (@convention(c) (Int32) -> Int32).self)
        unlockpt = unsafeBitCast(u, to: (@convention(c) (Int32) -> Int32).self)
        ptsname = unsafeBitCast(n, to: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
    }
}
