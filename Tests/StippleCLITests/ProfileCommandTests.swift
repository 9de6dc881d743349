import Foundation
import Testing

@Suite("stipple profile")
struct ProfileCommandTests {
    // MARK: list

    @Test func listPrintsEveryShippedProfileAsValidWithWhereItRuns() {
        let r = runCLI(["profile", "list"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first?.hasPrefix("PROFILE") == true)
        #expect(r.tableNames == Shipped.profiles)
        for name in Shipped.profiles {
            let row = r.row(name) ?? ""
            #expect(row.contains("valid: ") && !row.contains("INVALID"), "row for \(name): \(row)")
        }
        #expect(r.row("temples")?.contains("0.7 (0.55-0.85) mm") == true)
        #expect(r.row("temples")?.hasSuffix("valid: direct-d1 with 1RL-0.18, 1RL-0.20, 1RL-0.25; linear-l2 with 1RL-0.18, 1RL-0.20, 1RL-0.25; rotary-r1 with 1RL-0.18, 1RL-0.20, 1RL-0.25") == true)
    }

    @Test func listJSONHasDepthsCartridgesAndRunsOn() throws {
        let r = runCLI(["profile", "list", "--json"])
        #expect(r.status == 0)
        let items = try r.jsonArray()
        #expect(items.compactMap { $0["name"] as? String } == Shipped.profiles)
        for item in items {
            #expect(item["valid"] as? Bool == true)
            #expect((item["errors"] as? [Any])?.isEmpty == true)
            #expect((item["runs_on"] as? [Any])?.isEmpty == false)
        }
        let crown = try #require(items.first { $0["name"] as? String == "crown-vertex" })
        #expect(crown["zones"] as? [String] == ["crown"])
        #expect(crown["compatible_cartridges"] as? [String] == ["3RL-0.25", "1RL-0.25"])
        #expect(crown["rate_hz"] as? Double == 115)
        let depth = try #require(crown["depth_mm"] as? [String: Any])
        #expect(depth["target"] as? Double == 1.0)
        #expect(depth["min"] as? Double == 0.85)
        #expect(depth["max"] as? Double == 1.2)
        #expect((crown["variation"] as? [String: Any])?["seed"] as? Int == 1404)
        let runsOn = try #require(crown["runs_on"] as? [[String: String]])
        #expect(Set(runsOn) == [
            ["machine": "direct-d1", "cartridge": "3RL-0.25"], ["machine": "direct-d1", "cartridge": "1RL-0.25"],
            ["machine": "linear-l2", "cartridge": "3RL-0.25"], ["machine": "linear-l2", "cartridge": "1RL-0.25"],
            ["machine": "rotary-r1", "cartridge": "3RL-0.25"], ["machine": "rotary-r1", "cartridge": "1RL-0.25"],
        ])
    }

    // MARK: show

    @Test func showPrintsDepthRateCartridgesAndPairs() {
        let r = runCLI(["profile", "show", "temples"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first == "temples: Temple points, left and right: shallow single-needle detail")
        #expect(r.out.contains("zones       temple-left, temple-right"))
        #expect(r.out.contains("0.7 mm target, allowed 0.55-0.85 mm"))
        #expect(r.out.contains("105 Hz, ramp in 350 ms, out 250 ms"))
        #expect(r.out.contains("cartridges  1RL-0.18, 1RL-0.20, 1RL-0.25"))
        #expect(r.out.contains("runs on     direct-d1 with 1RL-0.18, 1RL-0.20, 1RL-0.25; linear-l2 with 1RL-0.18, 1RL-0.20, 1RL-0.25; rotary-r1 with 1RL-0.18, 1RL-0.20, 1RL-0.25"))
    }

    @Test func showWithAMachineAndAnUnlistedCartridgeExits1() {
        let r = runCLI(["profile", "show", "temples", "--machine", "rotary-r1", "--cartridge", "3RL-0.25"])
        #expect(r.status == 1)
        #expect(!r.out.contains("runs on"))
        #expect(r.errorLines.contains { $0.contains("compatible_cartridges") && $0.contains("does not list cartridge 3RL-0.25") })
    }

    @Test(arguments: Shipped.profiles)
    func showTOMLPrintsTheShippedFile(name: String) throws {
        let r = runCLI(["profile", "show", name, "--toml"])
        #expect(r.status == 0)
        #expect(r.out == (try Shipped.text("profiles", name)).trimmingCharacters(in: .newlines) + "\n")
    }

    @Test func showUnknownNameExits1AndNamesTheKnownProfiles() {
        let r = runCLI(["profile", "show", "crown"])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("profile \"crown\" not found"))
        #expect(r.err.contains("Known profiles: " + Shipped.profiles.joined(separator: ", ")))
    }

    @Test func showWithUnknownMachineExits1AndNamesTheKnownMachines() {
        let r = runCLI(["profile", "show", "temples", "--machine", "rotary-r9"])
        #expect(r.status == 1)
        #expect(r.err.contains("machine \"rotary-r9\" not found"))
        #expect(r.err.contains("Known machines: direct-d1, linear-l2, rotary-r1"))
    }

    // MARK: validate

    @Test(arguments: Shipped.profiles)
    func validateShippedFilePrintsOK(name: String) {
        let path = Shipped.path("profiles", name)
        let r = runCLI(["profile", "validate", path])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.out.hasPrefix("ok: \(path): profile \(name) runs on "))
    }

    /// Four problems in one file: an empty description, a rate beyond the absolute bounds, an
    /// unknown zone and an unknown key.
    static let brokenProfile = Fixture.profile(
        name: "broken", rate: "500", zones: ["crown", "scalp-top"], description: "", extra: "speed = 3")

    @Test func validateListsEveryErrorInABadFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("broken.toml", Self.brokenProfile)
            let r = runCLI(["profile", "validate", path])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            let errors = r.errorLines
            #expect(errors.count == 4, "stderr:\n\(r.err)")
            #expect(errors.contains("error: \(path): rate_hz = 500 is outside the allowed range 50.0-150.0 Hz. Use a number from 50.0 to 150.0 Hz"))
            #expect(errors.contains { $0.hasPrefix("error: \(path): description = \"\" must not be empty. ") })
            #expect(errors.contains { $0.hasPrefix("error: \(path): zones[1] = \"scalp-top\" is not a known zone. Use one of: frontal-hairline") })
            #expect(errors.contains { $0.hasPrefix("error: \(path): speed = 3 is not a known key. Remove it") })
            for line in errors {
                #expect(isWellFormedErrorLine(line, file: path), "not `error: FILE: key = value problem. fix`: \(line)")
            }
            #expect(r.errLines.last == "1 of 1 file(s) invalid")
        }
    }

    @Test func validateOneBadOfTwoExits1WithSummary() throws {
        try withTemporaryDirectory { dir in
            let good = try dir.write("good.toml", Fixture.profile(name: "good"))
            let bad = try dir.write("broken.toml", Self.brokenProfile)
            let r = runCLI(["profile", "validate", good, bad])
            #expect(r.status == 1)
            #expect(r.out.hasPrefix("ok: \(good): profile good runs on direct-d1 with 1RL-0.25; linear-l2 with 1RL-0.25; rotary-r1 with 1RL-0.25"))
            #expect(r.errorLines.count == 4)
            #expect(r.errorLines.allSatisfy { $0.hasPrefix("error: \(bad): ") })
            #expect(r.errLines.last == "1 of 2 file(s) invalid")
        }
    }

    @Test func validateJSONListsEachErrorWithKeyValueProblemAndFix() throws {
        try withTemporaryDirectory { dir in
            let bad = try dir.write("broken.toml", Self.brokenProfile)
            let r = runCLI(["profile", "validate", bad, "--json"])
            #expect(r.status == 1)
            let report = try #require(try r.jsonArray().first)
            #expect(report["file"] as? String == bad)
            #expect(report["valid"] as? Bool == false)
            let errors = try #require(report["errors"] as? [[String: Any]])
            #expect(errors.count == 4)
            for e in errors {
                for field in ["key", "value", "problem", "fix"] {
                    #expect((e[field] as? String)?.isEmpty == false, "error lacks \(field): \(e)")
                }
            }
            let rate = try #require(errors.first { $0["key"] as? String == "rate_hz" })
            #expect(rate["value"] as? String == "500")
            #expect(rate["problem"] as? String == "is outside the allowed range 50.0-150.0 Hz")
            #expect(rate["fix"] as? String == "Use a number from 50.0 to 150.0 Hz")
            #expect(errors.contains { $0["key"] as? String == "zones[1]" && $0["value"] as? String == "\"scalp-top\"" })
        }
    }

    // MARK: validate against a machine and cartridge

    @Test func validateWithMachineAndCartridgeThatFitPasses() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("fits.toml", Fixture.profile(name: "fits"))
            let r = runCLI(["profile", "validate", path, "--machine", "rotary-r1", "--cartridge", "1RL-0.25"])
            #expect(r.status == 0)
            #expect(r.err.isEmpty)
            #expect(r.out == "ok: \(path): profile fits runs on rotary-r1 with 1RL-0.25\n")
        }
    }

    @Test func validateFailsWhenDepthMaxExceedsTheCartridge() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("deep.toml", Fixture.profile(name: "deep", max: "2.2"))
            let r = runCLI(["profile", "validate", path, "--machine", "rotary-r1", "--cartridge", "1RL-0.25"])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            #expect(r.errorLines.contains(
                "error: \(path): depth_mm.max = 2.2 exceeds cartridge 1RL-0.25 max 2.0 mm. Lower depth_mm.max to 2.0 mm or less, or use a cartridge rated deeper"))
            #expect(r.errLines.last == "1 of 1 file(s) invalid")
        }
    }

    @Test func validateFailsWhenTheCartridgeIsNotListedAsCompatible() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("fits.toml", Fixture.profile(name: "fits", cartridges: ["1RL-0.25"]))
            let r = runCLI(["profile", "validate", path, "--machine", "rotary-r1", "--cartridge", "1RL-0.20"])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            #expect(r.errorLines.count == 1)
            #expect(r.errorLines.first?.hasPrefix(
                "error: \(path): compatible_cartridges = [\"1RL-0.25\"] does not list cartridge 1RL-0.20. ") == true)
        }
    }

    @Test func validateWithMachineOnlyTurnsThatMachinesMisfitIntoAnError() throws {
        try withTemporaryDirectory { dir in
            // Fits linear-l2 (3.0 mm) but on rotary-r1 needs 2.3 + 0.25 membrane = 2.55 mm > 2.5 mm.
            let path = try dir.write("deep.toml", Fixture.profile(name: "deep", cartridges: ["1RL-0.30"], max: "2.3"))
            let onLinear = runCLI(["profile", "validate", path, "--machine", "linear-l2"])
            #expect(onLinear.status == 0)
            #expect(onLinear.out == "ok: \(path): profile deep runs on linear-l2 with 1RL-0.30\n")

            let onRotary = runCLI(["profile", "validate", path, "--machine", "rotary-r1"])
            #expect(onRotary.status == 1)
            #expect(onRotary.errorLines.contains {
                $0.hasPrefix("error: \(path): depth_mm.max = 2.3 needs a set depth of 2.55 mm with cartridge 1RL-0.30") &&
                    $0.contains("beyond machine rotary-r1 max 2.5 mm")
            })
        }
    }

    @Test func validateWithoutMachineFailsWhenNoMachineFits() throws {
        try withTemporaryDirectory { dir in
            // 20 ms ramp-in is below both machines' minimum (rotary-r1 100 ms, linear-l2 50 ms).
            let path = try dir.write("abrupt.toml", Fixture.profile(name: "abrupt", rampIn: 20))
            let r = runCLI(["profile", "validate", path])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            #expect(r.errorLines.contains {
                $0.hasPrefix("error: \(path): ramp_in_ms = 20 is outside machine linear-l2 ramp range 50-2000 ms")
            })
            #expect(r.errorLines.contains {
                $0.hasPrefix("error: \(path): ramp_in_ms = 20 is outside machine rotary-r1 ramp range 100-3000 ms")
            })
            #expect(r.errLines.last == "1 of 1 file(s) invalid")
        }
    }

    @Test func validateWithoutMachinePassesWhenSomeMachineFitsAndNotesTheRest() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("deep.toml", Fixture.profile(name: "deep", cartridges: ["1RL-0.30"], max: "2.3"))
            let r = runCLI(["profile", "validate", path])
            #expect(r.status == 0)
            #expect(r.err.isEmpty)
            #expect(r.outLines.first == "ok: \(path): profile deep runs on linear-l2 with 1RL-0.30")
            let notes = r.outLines.filter { $0.hasPrefix("  note: ") }
            // direct-d1's stage also ends at 2.5 mm.
            #expect(notes.count == 2)
            #expect(notes.contains { $0.hasPrefix("  note: not on direct-d1 with 1RL-0.30: depth_mm.max = 2.3 needs a set depth of 2.55 mm") })
            #expect(notes.contains { $0.hasPrefix("  note: not on rotary-r1 with 1RL-0.30: depth_mm.max = 2.3 needs a set depth of 2.55 mm") })

            let json = runCLI(["profile", "validate", path, "--json"])
            #expect(json.status == 0)
            let report = try #require(try json.jsonArray().first)
            #expect(report["valid"] as? Bool == true)
            #expect((report["notes"] as? [String])?.count == 2)
            #expect((report["notes"] as? [String])?.contains { $0.hasPrefix("not on rotary-r1 with 1RL-0.30") } == true)
        }
    }

    @Test func validateWithUnknownCartridgeExits1NamingTheKnownOnes() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("fits.toml", Fixture.profile(name: "fits"))
            let r = runCLI(["profile", "validate", path, "--cartridge", "9RL-0.25"])
            #expect(r.status == 1)
            #expect(r.err.contains("cartridge \"9RL-0.25\" not found"))
            #expect(r.err.contains("Known cartridges: 1RL-0.18"))
        }
    }
}
