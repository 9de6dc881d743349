import Foundation
import Testing

@Suite("stipple cartridge")
struct CartridgeCommandTests {
    @Test func listPrintsEveryShippedCartridgeAsValid() {
        let r = runCLI(["cartridge", "list"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first?.hasPrefix("CARTRIDGE") == true)
        #expect(r.tableNames == Shipped.cartridges)
        for name in Shipped.cartridges {
            let row = r.row(name) ?? ""
            #expect(row.hasSuffix("valid") && !row.contains("INVALID"), "row for \(name): \(row)")
        }
        #expect(r.row("1RL-0.18")?.contains("1.5 mm") == true)
    }

    @Test func listJSONHasNeedleDepthAndMembraneFields() throws {
        let r = runCLI(["cartridge", "list", "--json"])
        #expect(r.status == 0)
        let items = try r.jsonArray()
        #expect(items.compactMap { $0["name"] as? String } == Shipped.cartridges)
        #expect(items.allSatisfy { $0["valid"] as? Bool == true })
        let fine = try #require(items.first { $0["name"] as? String == "1RL-0.18" })
        #expect(fine["needles"] as? Int == 1)
        #expect(fine["grouping"] as? String == "RL")
        #expect(fine["needle_diameter_mm"] as? Double == 0.18)
        #expect(fine["max_depth_mm"] as? Double == 1.5)
        #expect(fine["membrane_offset_mm"] as? Double == 0.15)
        #expect(fine["single_use"] as? Bool == true)
        let three = try #require(items.first { $0["name"] as? String == "3RL-0.30" })
        #expect(three["needles"] as? Int == 3)
        #expect(three["max_depth_mm"] as? Double == 2.5)
    }

    @Test func showPrintsDepthMembraneAndTheProfilesThatUseIt() {
        let r = runCLI(["cartridge", "show", "1RL-0.20"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first == "1RL-0.20: 1 needle(s), RL, 0.20 mm diameter")
        #expect(r.out.contains("max depth  2.0 mm"))
        #expect(r.out.contains("0.2 mm shallower than set"))
        #expect(r.out.contains("single use yes"))
        #expect(r.out.contains("profiles   donor-scar-camouflage, first-session-conservative, frontal-hairline-soft, temples"))
    }

    @Test func showJSONListsProfiles() throws {
        let r = runCLI(["cartridge", "show", "3RL-0.25", "--json"])
        #expect(r.status == 0)
        let obj = try r.jsonObject()
        #expect(obj["name"] as? String == "3RL-0.25")
        #expect(obj["profiles"] as? [String] == ["crown-vertex", "first-session-conservative", "mid-scalp-density"])
    }

    @Test(arguments: Shipped.cartridges)
    func showTOMLPrintsTheShippedFile(name: String) throws {
        let r = runCLI(["cartridge", "show", name, "--toml"])
        #expect(r.status == 0)
        #expect(r.out == (try Shipped.text("cartridges", name)).trimmingCharacters(in: .newlines) + "\n")
    }

    @Test func showUnknownNameExits1AndNamesTheKnownCartridges() {
        let r = runCLI(["cartridge", "show", "5RL-0.25"])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("cartridge \"5RL-0.25\" not found"))
        #expect(r.err.contains("Known cartridges: " + Shipped.cartridges.joined(separator: ", ")))
    }
}
