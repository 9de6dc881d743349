import StippleModel
import Testing

@Suite("stroke-rate correction and the jig line")
struct StrokeRateCorrectionTests {
    @Test func theFitOfAStraightDriveCurveIsExactAndItsInverseHitsTheWantedRate() throws {
        let x = stride(from: 50.0, through: 150, by: 12.5).map { $0 }
        let fit = try #require(StrokeRateCorrection.fit(commandedHertz: x, achievedHertz: x.map { 1.04 * $0 - 3 }))
        #expect(abs(fit.gain - 1.04) < 1e-12)
        #expect(abs(fit.offsetHertz - -3) < 1e-9)
        for wanted in [50.0, 97.3, 150] {
            #expect(abs(fit.achievedHertz(forCommanded: fit.commandedHertz(forAchieved: wanted)) - wanted) < 1e-9)
        }
    }

    @Test func aCorrectedSetPointOutsideTheMachinesLimitsIsNil() {
        let c = StrokeRateCorrection(gain: 0.95, offsetHertz: 0)
        let limits = StrokeRate(hertz: 50)...StrokeRate(hertz: 150)
        #expect(c.commandedMillihertz(forAchieved: StrokeRate(hertz: 150), within: limits) == nil)
        #expect(c.commandedMillihertz(forAchieved: StrokeRate(hertz: 100), within: limits) == 105_263)
    }

    @Test func pointsThatDoNotMakeADriveCurveGiveNoFit() {
        #expect(StrokeRateCorrection.fit(commandedHertz: [100, 100], achievedHertz: [99, 101]) == nil)
        #expect(StrokeRateCorrection.fit(commandedHertz: [50, 150], achievedHertz: [0, 0]) == nil)
        #expect(StrokeRateCorrection.fit(commandedHertz: [50], achievedHertz: [50]) == nil)
    }

    @Test func theJigLineIsOptionalButValidatedLikeEveryRole() throws {
        let base = try ShippedHardware.text(.machine, "rotary-r1")
        #expect(try ShippedHardware.machine("rotary-r1").gpio[.jigEnableSense] == nil)
        let led = "status_led = { offset = 24, active_low = false }"
        let jig = base.replacingOccurrences(of: led, with: led + "\njig_enable_sense = { offset = 5, active_low = false }")
        let spec = try MachineSpec.decode(text: jig, file: "rotary-r1.toml").get()
        #expect(spec.gpio[.jigEnableSense] == GPIOLine(offset: 5, activeLow: false))
        #expect(GPIOLineRole.jigEnableSense.isInput)

        let clash = base.replacingOccurrences(of: led, with: led + "\njig_enable_sense = { offset = 22, active_low = false }")
        guard case .failure(let e) = MachineSpec.decode(text: clash, file: "rotary-r1.toml") else {
            Issue.record("a jig line on motor_enable's offset was accepted")
            return
        }
        #expect(e.issues.contains { $0.key == "gpio.jig_enable_sense.offset" && $0.problem.contains("already used by motor_enable") }, "\(e)")
    }
}
