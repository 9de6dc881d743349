import Foundation
import StippleJournal

/// A journal in a fresh temporary $STIPPLE_HOME with what a clinic registers before treating,
/// added through the CLI as a clinic would: client `c-001` with a consent, operator `op-ana`, and
/// pigment lot `LOT-77` (expiring years from now), technician `tech-cal`, and a passing depth
/// calibration of the built-in simulator's rotary-r1 and linear-l2 (a run refuses a machine
/// without one).
struct ClinicJournal {
    let dir: TemporaryDirectory
    var environment: [String: String] { ["STIPPLE_HOME": dir.path("home")] }
    var path: String { dir.path("home/journal.sqlite") }

    static let pigmentLot = "LOT-77"
    static let technician = "tech-cal"
    static let calibratedMachines = ["rotary-r1", "linear-l2"]

    init(_ dir: TemporaryDirectory, seed: Bool = true) throws {
        self.dir = dir
        guard seed else { return }
        for args in [
            ["client", "add", "c-001", "--name", "Ana Client", "--born", "1988-02-29", "--consent", "consent-2026-001", "--consent-signed", "2025-01-15"],
            ["operator", "add", "op-ana", "--name", "Ana Operator"],
            ["pigment", "add", "--brand", "Scalp Ink Co", "--name", "Dark Brown 2", "--batch", "B12", "--lot", Self.pigmentLot,
             "--expiry", "2099-12-31", "--dilution", "1"],
            ["operator", "add", Self.technician],
        ] + Self.calibratedMachines.map({ (m: String) -> [String] in
            ["calibrate", "depth", "--machine", m, "--sim", "--sim-gauge", "--technician", Self.technician, "--gauge", "G-test"]
        }) {
            let r = runCLI(args, environment: environment)
            guard r.status == 0 else { throw SetupFailed(message: "stipple \(args.joined(separator: " ")): \(r.err)") }
        }
    }

    /// The options a journaled `stipple run` needs besides the machine, profile and zone.
    static func runOptions(client: String = "c-001", cartridgeID: Int = 1) -> [String] {
        ["--client", client, "--operator", "op-ana", "--pigment", pigmentLot, "--cartridge-lot", "CL-2611",
         "--cartridge-id", "\(cartridgeID)"]
    }

    func open() throws -> Journal { try Journal.open(at: path) }

    /// The ledger's length: any row written anywhere in the journal adds to it.
    func ledgerLength() throws -> Int64 { try open().ledgerHead()?.seq ?? 0 }

    struct SetupFailed: Error { var message: String }
}
