import Testing
import StippleModel
import StippleWire
@testable import StippleControl

/// The stroke-rate correction in the control step: the corrected set-point goes out wherever the
/// profile's rate is sent, the ramp-out stays on the machine's minimum, and the tolerance check
/// still holds telemetry to the profile's rate.
@Suite("Stroke-rate set-point")
struct StrokeRateSetPointTests {
    static let ms: UInt64 = 1_000_000
    /// A drive that strokes 4% fast, 3 Hz low: 115 Hz wanted needs (115 + 3) / 1.04 = 113.462 Hz.
    static let drive = StrokeRateCorrection(gain: 1.04, offsetHertz: -3)
    static let setPoint: UInt32 = 113_462

    static func corrected() throws -> SessionSettings {
        try #require(try ControlCoreTests.settings().rateCorrected(drive))
    }

    static func rates(_ out: ControlOutputs) -> [UInt32] {
        out.commands.compactMap { if case .setStrokeRate(let r, _) = $0 { r } else { nil } }
    }

    @Test func armAndStartSendTheCorrectedSetPointAndTheRampOutTheMachinesMinimum() throws {
        var s = ControlState()
        var i = ControlInputs()
        i.request = .load(try Self.corrected())
        _ = ControlCore.step(&s, i, now: 0)
        i.request = .arm(cartridgeCleared: true)
        #expect(Self.rates(ControlCore.step(&s, i, now: Self.ms)) == [Self.setPoint])
        i.request = nil
        i.pedalDown = true
        let start = ControlCore.step(&s, i, now: 10 * Self.ms)
        #expect(start.commands.contains(.start))
        #expect(Self.rates(start) == [Self.setPoint])
        // Paused and resumed mid-pass: the motor restarts through the same correction.
        i.request = .pause
        _ = ControlCore.step(&s, i, now: 20 * Self.ms)
        i.request = .resume
        #expect(Self.rates(ControlCore.step(&s, i, now: 30 * Self.ms)) == [Self.setPoint])
        i.request = nil
        i.pedalDown = false
        #expect(Self.rates(ControlCore.step(&s, i, now: 500 * Self.ms)) == [50_000])
    }

    @Test func uncorrectedSettingsSendTheProfilesRate() throws {
        let plain = try ControlCoreTests.settings()
        #expect(plain.rateSetPoint == plain.profile.rate)
        #expect(try #require(plain.rateCorrected(.identity)).rateSetPoint.millihertz == 115_000)
    }

    @Test func theToleranceCheckComparesTelemetryWithTheProfilesRateNotTheSetPoint() throws {
        // Telemetry at the wanted 115 Hz runs on; telemetry at the set-point a correction would
        // need for a drive 10% fast (104.5 Hz, 9% under the wanted rate) is a fault.
        for (achieved, faults) in [(UInt32(115_000), false), (UInt32(104_545), true)] {
            var s = ControlState()
            var i = ControlInputs()
            i.request = .load(try #require(try ControlCoreTests.settings().rateCorrected(StrokeRateCorrection(gain: 1.1, offsetHertz: 0))))
            _ = ControlCore.step(&s, i, now: 0)
            i.request = .arm(cartridgeCleared: true)
            _ = ControlCore.step(&s, i, now: Self.ms)
            i.request = nil
            i.pedalDown = true
            for t in stride(from: UInt64(2), to: 1500, by: 1) {
                i.telemetry = Telemetry(deviceTicks: t * 1000, rateMillihertz: achieved, depthMicrometres: Int32(s.commandedDepthMicrometres),
                                        motorCurrentMilliamperes: 300, strokeCount: UInt32(t), stateFlags: 0)
                _ = ControlCore.step(&s, i, now: t * Self.ms)
                if s.machine == .fault { break }
            }
            #expect((s.machine == .fault) == faults, "achieved \(achieved) mHz: \(s.machine)")
            if faults { #expect(s.latchedFault == .rateOutOfBounds) }
        }
    }

    @Test func aCorrectionThatNeedsASetPointBeyondTheMachinesLimitsIsNotApplied() throws {
        // 115 Hz through a drive at 0.7x needs 164.3 Hz; rotary-r1 stops at 150.
        #expect(try ControlCoreTests.settings().rateCorrected(StrokeRateCorrection(gain: 0.7, offsetHertz: 0)) == nil)
    }
}
