import Foundation
import Testing
import StippleControl
import StippleModel

@Suite("Long sessions")
struct LongSessionTests {
    static let ms = SimulatedBench.ms

    /// Resident memory in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    @Test(.timeLimit(.minutes(5)))
    func aFourHourSessionRunsWithStableMemory() throws {
        let b = try SimulatedBench()
        // Records go to a counter, as the journal ring would take them; keeping them would be the leak.
        var passes = 0, faults = 0
        let clock0 = Date()
        b.armed()
        var resident: [Int] = []
        for hour in 0..<4 {
            // Passes of 40 s needling and 20 s pause, like a practitioner working a zone.
            for minute in 0..<60 {
                _ = minute
                b.press(.pedal, true)
                b.run(for: 40_000 * Self.ms)
                b.press(.pedal, false)
                b.run(for: 20_000 * Self.ms)
                passes += b.records.filter { $0.kind == .passEnded }.count
                faults += b.records.filter { $0.kind == .fault }.count
                b.records.removeAll(keepingCapacity: true)
            }
            resident.append(Self.residentBytes())
            _ = hour
        }
        print("4 h virtual session: \(passes) passes, \(faults) faults, RSS per hour \(resident.map { $0 / 1024 }) KiB, wall \(Date().timeIntervalSince(clock0)) s")
        #expect(passes == 240 && faults == 0)
        #expect(b.session.state.machine == .armed)
        // Stable: after the first hour the resident size grows by less than 1 MiB in three hours.
        #expect(resident[3] - resident[0] < 1 << 20, "RSS \(resident)")
    }
}
