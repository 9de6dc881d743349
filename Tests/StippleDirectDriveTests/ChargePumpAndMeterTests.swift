import Testing
import StippleDirectDrive

@Suite("Charge pump, rate meter, edge log")
struct ChargePumpAndMeterTests {
    static let ms: UInt64 = 1_000_000

    @Test func thePumpTogglesOnItsHalfPeriodGridAndStaysOnItAfterALateCycle() {
        var pump = ChargePump(hertz: 250, timeoutMilliseconds: 20, level: false)
        #expect(pump.toggle(now: 0) == nil, "not before start")
        pump.start(now: 0)
        var toggles: [UInt64] = []
        for cycle in UInt64(0)..<10 {
            if pump.toggle(now: cycle * Self.ms) != nil { toggles.append(cycle * Self.ms) }
        }
        #expect(toggles == [0, 2, 4, 6, 8].map { $0 * Self.ms })
        #expect(pump.driversEnabled)
        // A cycle 3 ms late toggles once and the next toggle is back on the grid.
        #expect(pump.toggle(now: 13 * Self.ms) != nil)
        #expect(pump.toggle(now: 13 * Self.ms) == nil)
        #expect(pump.toggle(now: 14 * Self.ms) != nil)
        #expect(!pump.watchdogExpired(now: 33 * Self.ms))
        #expect(pump.watchdogExpired(now: 34 * Self.ms))
        pump.stop()
        let level = pump.level
        #expect(pump.toggle(now: 40 * Self.ms) == nil && pump.level == level, "stopped: the line is left as it is")
        pump.start(now: 50 * Self.ms)
        #expect(!pump.driversEnabled, "a restarted pump needs edges before the drivers are enabled")
    }

    @Test func theMeterMeasuresTheActualStrokesAndFallsToZeroAfterTwoPeriods() {
        var meter = StrokeRateMeter()
        #expect(meter.millihertz(now: 0) == 0)
        for i in UInt64(0)..<20 { meter.record(i * 10 * Self.ms) }
        #expect(meter.millihertz(now: 190 * Self.ms) == 100_000)
        #expect(meter.millihertz(now: 210 * Self.ms) == 100_000)
        #expect(meter.millihertz(now: 211 * Self.ms) == 0)
        // After a pause the old strokes are forgotten.
        meter.record(1_000 * Self.ms)
        meter.record(1_005 * Self.ms)
        #expect(meter.millihertz(now: 1_005 * Self.ms) == 200_000)
    }

    @Test func theEdgeLogKeepsTheNewestRecordsAndReportsLateness() {
        let log = StrokeEdgeLog(capacity: 100)
        for i in UInt64(0)..<150 {
            log.record(planned: i * Self.ms, actual: i * Self.ms + (i % 10 == 0 ? 50_000 : 0), rising: i % 2 == 0, late: i % 10 == 0)
        }
        #expect(log.total == 150 && log.count == 100)
        #expect(log[0].planned == 50 * Self.ms)
        let l = log.lateness()
        #expect(l.edges == 100 && l.lateEdges == 10)
        #expect(l.p50Nanoseconds == 0 && l.p99Nanoseconds == 50_000 && l.maxNanoseconds == 50_000)
    }
}
