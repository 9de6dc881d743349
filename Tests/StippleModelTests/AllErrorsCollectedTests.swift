import Foundation
import Testing
import StippleModel

/// A file with several independent problems reports every one of them in a single `ConfigError`,
/// so a technician fixes a file in one round instead of one error per run.
@Suite struct AllErrorsCollectedTests {
    /// The error of a refused file; fails the test when the file was accepted.
    static func failure<T>(_ result: Result<T, ConfigError>) throws -> ConfigError {
        let error: ConfigError? = if case .failure(let e) = result { e } else { nil }
        return try #require(error, "the file was accepted")
    }

    @Test func profileWithEightProblemsReportsAllEight() throws {
        let file = "Hardware/profiles/everything-wrong.toml"
        let text = """
            name = "all-wrong"
            description = "Eight independent problems"
            zones = ["crown", "vertex", "crown"]
            compatible_cartridges = ["1RL-0.25"]
            rate_hz = 200
            ramp_in_ms = "fast"
            ramp_out_ms = 200
            colour = "blue"

            [depth_mm]
            target = 1.0
            min = 0.8
            max = 1.2
            extra = 1

            [variation]
            depth_amplitude_mm = 0.1
            """
        let error = try Self.failure(DepthProfile.decode(text: text, file: file))
        let keys = error.issues.compactMap(\.key)
        #expect(error.issues.count == 8, "\(error)")
        #expect(Set(keys) == ["name", "zones[1]", "zones[2]", "rate_hz", "ramp_in_ms", "colour",
                              "depth_mm.extra", "variation.seed"])
        #expect(keys.count == Set(keys).count, "each problem is reported once")
        #expect(error.issues.allSatisfy { $0.file == file })
        // The printed form has one `error:` line per issue.
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.allSatisfy { $0.hasPrefix("error: \(file): ") })
    }

    @Test func machineWithProblemsInEveryTableReportsThemAll() throws {
        let base = try ShippedHardware.text(.machine, "rotary-r1")
        let text = try Edit.apply([
            .replace("kind = \"rotary\"", "kind = \"pneumatic\""),
            .replace("heartbeat_deadline_ms = 50", "heartbeat_deadline_ms = 5"),
            .replace("endpoint_in = 0x81", "endpoint_in = 0x01"),
            .replace("estop = { offset = 27,", "estop = { offset = 17,"),
            .replace("depth_step_mm = 0.05", "depth_step_mm = 0.04"),
            .replace("motor_current_nominal_ma = 320", "motor_current_nominal_ma = 850"),
        ], to: base)
        let error = try Self.failure(MachineSpec.decode(text: text, file: ShippedHardware.path(.machine, "rotary-r1")))
        #expect(error.issues.count == 6, "\(error)")
        #expect(Set(error.issues.compactMap(\.key)) == [
            "kind", "heartbeat_deadline_ms", "usb.endpoint_in", "gpio.estop.offset",
            "limits.depth_step_mm", "actuator.motor_current_max_ma",
        ])
    }

    @Test func cartridgeWithFiveProblemsReportsAllFive() throws {
        let base = try ShippedHardware.text(.cartridge, "1RL-0.25")
        let text = try Edit.apply([
            .replace("needles = 1", "needles = 0"),
            .replace("grouping = \"RL\"", "grouping = \"XL\""),
            .replace("membrane_offset_mm = 0.20", "membrane_offset_mm = 0.7"),
            .replace("single_use = true", "single_use = \"yes\""),
            .append("max_dept_mm = 2.0\n"),
        ], to: base)
        let error = try Self.failure(Cartridge.decode(text: text, file: ShippedHardware.path(.cartridge, "1RL-0.25")))
        #expect(error.issues.count == 5, "\(error)")
        #expect(Set(error.issues.compactMap(\.key)) == [
            "needles", "grouping", "membrane_offset_mm", "single_use", "max_dept_mm",
        ])
    }

    @Test func profileAssessmentReportsEveryMachineAndCartridgeProblemAtOnce() throws {
        let path = ShippedHardware.path(.profile, "crown-vertex")
        let text = try Edit.apply([
            .replace("max = 1.2", "max = 2.42"),
            .replace("ramp_in_ms = 300", "ramp_in_ms = 50"),
        ], to: try ShippedHardware.text(.profile, "crown-vertex"))
        let profile = try DepthProfile.decode(text: text, file: path).get()
        let cartridges = try ShippedHardware.allCartridges()
        let fine: Cartridge = try #require(cartridges["1RL-0.18"])
        let assessment = ProfileAssessment(
            profile: profile, file: path, machines: [try ShippedHardware.machine("rotary-r1")],
            cartridges: cartridges, explicitCartridge: fine, explicitMachine: true)
        let problems = assessment.errors.map { "\($0.key ?? "-"): \($0.problem)" }
        #expect(!assessment.isValid)
        #expect(assessment.errors.count == 5, "\(problems)")
        #expect(assessment.errors.compactMap(\.key).sorted() ==
                ["compatible_cartridges", "depth_mm.max", "depth_mm.max", "depth_mm.max", "ramp_in_ms"])
        #expect(problems.contains("compatible_cartridges: does not list cartridge 1RL-0.18"))
        #expect(problems.contains("depth_mm.max: exceeds cartridge 1RL-0.18 max 1.5 mm"))
        #expect(problems.contains { $0.hasPrefix("depth_mm.max: needs a set depth of 2.57 mm with cartridge 1RL-0.18") })
        #expect(problems.contains("depth_mm.max: needs a set depth of 2.57 mm (with cartridge 1RL-0.18's membrane offset 0.15 mm), not on machine rotary-r1's depth step 0.05 mm from 0.0 mm"))
        #expect(problems.contains("ramp_in_ms: is outside machine rotary-r1 ramp range 100-3000 ms"))
    }

    @Test func decodeAllKeepsTheProfileSoFitProblemsCanBeReportedInTheSamePass() throws {
        let path = ShippedHardware.path(.profile, "crown-vertex")
        let text = try Edit.apply([.append("ramp_ou_ms = 200\n")], to: try ShippedHardware.text(.profile, "crown-vertex"))
        // The appended key lands in [variation], the last table in the file.
        let (profile, issues) = DepthProfile.decodeAll(text: text, file: path)
        #expect(issues.map(\.key) == ["variation.ramp_ou_ms"])
        #expect(profile?.name == "crown-vertex")
        // decode refuses the same text: a profile with any issue is never accepted.
        #expect(throws: ConfigError.self) { try DepthProfile.decode(text: text, file: path).get() }
    }
}
