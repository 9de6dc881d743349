import Foundation
import Testing

@Suite("stipple machine")
struct MachineCommandTests {
    // MARK: list

    @Test func listPrintsEveryShippedMachineAsValid() {
        let r = runCLI(["machine", "list"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first?.hasPrefix("MACHINE") == true)
        #expect(r.tableNames == Shipped.machines)
        for name in Shipped.machines {
            let row = r.row(name) ?? ""
            #expect(row.hasSuffix("valid") && !row.contains("INVALID"), "row for \(name): \(row)")
        }
        #expect(r.row("rotary-r1")?.contains("0.0-2.5 mm") == true)
        #expect(r.row("linear-l2")?.contains("0.0-3.0 mm") == true)
    }

    @Test func listJSONHasLimitsUSBAndGPIOOfEachMachine() throws {
        let r = runCLI(["machine", "list", "--json"])
        #expect(r.status == 0)
        let items = try r.jsonArray()
        #expect(items.compactMap { $0["name"] as? String } == Shipped.machines)
        for item in items {
            #expect(item["valid"] as? Bool == true)
            #expect((item["file"] as? String)?.hasSuffix("machines/\(item["name"] as? String ?? "?").toml") == true)
        }
        let r1 = try #require(items.first { $0["name"] as? String == "rotary-r1" })
        #expect(r1["kind"] as? String == "rotary")
        #expect(r1["heartbeat_deadline_ms"] as? Int == 50)
        let limits = try #require(r1["limits"] as? [String: Any])
        #expect(limits["depth_max_mm"] as? Double == 2.5)
        #expect(limits["depth_min_mm"] as? Double == 0.0)
        #expect(limits["depth_step_mm"] as? Double == 0.05)
        #expect(limits["rate_max_hz"] as? Double == 150)
        let usb = try #require(r1["usb"] as? [String: Any])
        #expect(usb["vendor_id"] as? Int == 0x1209)
        #expect(usb["product_id"] as? Int == 0x5701)
        #expect(usb["endpoint_in"] as? Int == 0x81)
        let gpio = try #require(r1["gpio"] as? [String: Any])
        let lines = try #require(gpio["lines"] as? [String: [String: Any]])
        #expect(Set(lines.keys) == ["pedal", "estop", "motor_enable", "cartridge_present", "status_led"])
        #expect(lines["pedal"]?["offset"] as? Int == 17)
        #expect(lines["pedal"]?["active_low"] as? Bool == true)

        let l2 = try #require(items.first { $0["name"] as? String == "linear-l2" })
        #expect((l2["limits"] as? [String: Any])?["depth_max_mm"] as? Double == 3.0)
        #expect((l2["actuator"] as? [String: Any])?["depth_stage"] as? String == "linear")
    }

    // MARK: show

    @Test func showPrintsIdentityWiringAndLimits() {
        let r = runCLI(["machine", "show", "rotary-r1"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first == "rotary-r1: Stipple R1 rotary pen, stepper depth stage (rotary)")
        #expect(r.out.contains("1209:5701 interface 0, bulk out 0x01, in 0x81"))
        #expect(r.out.contains("gpiochip0"))
        #expect(r.outLines.contains { $0.contains("pedal") && $0.contains("line 17 in") && $0.contains("active-low") })
        #expect(r.outLines.contains { $0.contains("motor_enable") && $0.contains("line 22 out") })
        #expect(r.out.contains("0.0-2.5 mm in 0.05 mm steps"))
        #expect(r.out.contains("50-150 Hz"))
        #expect(r.out.contains("after 50 ms without one"))
        #expect(r.out.contains("stepper depth stage"))
    }

    @Test(arguments: Shipped.machines)
    func showTOMLPrintsTheShippedFile(name: String) throws {
        let r = runCLI(["machine", "show", name, "--toml"])
        #expect(r.status == 0)
        let shipped = try Shipped.text("machines", name)
        #expect(r.out == shipped.trimmingCharacters(in: .newlines) + "\n")
    }

    @Test func showJSONParsesAndNamesTheFile() throws {
        let r = runCLI(["machine", "show", "linear-l2", "--json"])
        #expect(r.status == 0)
        let obj = try r.jsonObject()
        #expect(obj["name"] as? String == "linear-l2")
        #expect(obj["file"] as? String == "Hardware/machines/linear-l2.toml")
        #expect(obj["heartbeat_deadline_ms"] as? Int == 30)
        #expect((obj["limits"] as? [String: Any])?["depth_step_mm"] as? Double == 0.01)
    }

    @Test func showUnknownNameExits1AndNamesTheKnownMachines() {
        let r = runCLI(["machine", "show", "rotary-r9"])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("machine \"rotary-r9\" not found"))
        #expect(r.err.contains("Known machines: direct-d1, linear-l2, rotary-r1"))
    }

    // MARK: validate

    @Test(arguments: Shipped.machines)
    func validateShippedFilePrintsOK(name: String) {
        let path = Shipped.path("machines", name)
        let r = runCLI(["machine", "validate", path])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.count == 1)
        #expect(r.out.hasPrefix("ok: \(path): machine \(name) ("))
        #expect(r.out.contains("is valid"))
    }

    /// A machine file with four independent problems: each must be reported, not just the first.
    static let brokenMachine = Fixture.machine(
        name: "broken", kind: "hover", heartbeat: 5000, depthMax: "0.0", extra: "colour = \"red\"")

    @Test func validateListsEveryErrorInABadFile() throws {
        try withTemporaryDirectory { dir in
            let path = try dir.write("broken.toml", Self.brokenMachine)
            let r = runCLI(["machine", "validate", path])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            let errors = r.errorLines
            #expect(errors.count == 4, "stderr:\n\(r.err)")
            #expect(errors.contains("error: \(path): kind = \"hover\" is not a known machine kind. Use one of: rotary, linear"))
            #expect(errors.contains("error: \(path): heartbeat_deadline_ms = 5000 is outside the allowed range 10-500 ms. Use a whole number from 10 to 500 ms"))
            #expect(errors.contains { $0.hasPrefix("error: \(path): limits.depth_max_mm = 0.0 must be greater than depth_min_mm") })
            #expect(errors.contains { $0.hasPrefix("error: \(path): colour = \"red\" is not a known key. Remove it") })
            for line in errors {
                #expect(isWellFormedErrorLine(line, file: path), "not `error: FILE: key = value problem. fix`: \(line)")
            }
            #expect(r.errLines.last == "1 of 1 file(s) invalid")
        }
    }

    @Test func validateOneBadOfTwoExits1WithSummary() throws {
        try withTemporaryDirectory { dir in
            let good = Shipped.path("machines", "rotary-r1")
            let bad = try dir.write("broken.toml", Self.brokenMachine)
            let r = runCLI(["machine", "validate", good, bad])
            #expect(r.status == 1)
            #expect(r.out.hasPrefix("ok: \(good): "))
            #expect(!r.out.contains(bad))
            #expect(r.errorLines.count == 4)
            #expect(r.errorLines.allSatisfy { $0.hasPrefix("error: \(bad): ") })
            #expect(r.errLines.last == "1 of 2 file(s) invalid")
        }
    }

    @Test func validateJSONListsEachErrorWithKeyValueProblemAndFix() throws {
        try withTemporaryDirectory { dir in
            let good = Shipped.path("machines", "linear-l2")
            let bad = try dir.write("broken.toml", Self.brokenMachine)
            let r = runCLI(["machine", "validate", good, bad, "--json"])
            #expect(r.status == 1)
            let reports = try r.jsonArray()
            #expect(reports.count == 2)
            let okReport = try #require(reports.first { $0["file"] as? String == good })
            #expect(okReport["valid"] as? Bool == true)
            #expect((okReport["errors"] as? [Any])?.isEmpty == true)

            let badReport = try #require(reports.first { $0["file"] as? String == bad })
            #expect(badReport["valid"] as? Bool == false)
            let errors = try #require(badReport["errors"] as? [[String: Any]])
            #expect(errors.count == 4)
            for e in errors {
                for field in ["file", "key", "value", "problem", "fix"] {
                    #expect((e[field] as? String)?.isEmpty == false, "error lacks \(field): \(e)")
                }
            }
            let kind = try #require(errors.first { $0["key"] as? String == "kind" })
            #expect(kind["value"] as? String == "\"hover\"")
            #expect(kind["problem"] as? String == "is not a known machine kind")
            #expect(kind["fix"] as? String == "Use one of: rotary, linear")
            let deadline = try #require(errors.first { $0["key"] as? String == "heartbeat_deadline_ms" })
            #expect(deadline["value"] as? String == "5000")
            #expect(errors.contains { $0["key"] as? String == "limits.depth_max_mm" })
            #expect(errors.contains { $0["key"] as? String == "colour" })
        }
    }

    @Test func validateMissingFileExits1NamingIt() {
        let path = "/nonexistent/stipple/nowhere.toml"
        let r = runCLI(["machine", "validate", path])
        #expect(r.status == 1)
        #expect(r.errorLines == ["error: \(path): file not found. Check the path, or use `list` to see the files Stipple knows"])
    }
}
