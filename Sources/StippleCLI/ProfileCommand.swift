import ArgumentParser
import StippleModel

/// `stipple profile`: depth profiles for scalp zones.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile", abstract: "List, show and validate depth profiles.",
        subcommands: [ProfileList.self, ProfileShow.self, ProfileValidate.self])
}

/// The catalog's valid machines and cartridges, and the ones a command named.
struct ProfileContext {
    var machines: [MachineSpec]
    var cartridges: [String: Cartridge]
    var invalidCartridges: [String: String] = [:]
    var explicitMachine: MachineSpec?
    var explicitCartridge: Cartridge?

    init(catalog: HardwareCatalog, machine: String?, cartridge: String?) throws {
        machines = catalog.machines().compactMap { try? $0.result.get() }
        cartridges = [:]
        for (file, result) in catalog.cartridges() {
            switch result {
            case .success(let c): cartridges[c.name] = c
            case .failure: invalidCartridges[file.name] = file.path
            }
        }
        if let machine { explicitMachine = try catalog.machine(named: machine).spec }
        if let cartridge { explicitCartridge = try catalog.cartridge(named: cartridge).cartridge }
    }

    func assess(_ p: DepthProfile, file: String) -> ProfileAssessment {
        ProfileAssessment(profile: p, file: file, machines: explicitMachine.map { [$0] } ?? machines,
                          cartridges: cartridges, invalidCartridges: invalidCartridges, explicitCartridge: explicitCartridge,
                          explicitMachine: explicitMachine != nil)
    }
}

extension ProfileAssessment {
    /// "rotary-r1 with 1RL-0.20, 3RL-0.25; linear-l2 with 1RL-0.20"
    var fitsSummary: String {
        var order: [String] = []
        var byMachine: [String: [String]] = [:]
        for f in fits {
            if byMachine[f.machine] == nil { order.append(f.machine) }
            byMachine[f.machine, default: []].append(f.cartridge)
        }
        return order.map { "\($0) with \(byMachine[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
    }

    var misfitNotes: [String] {
        misfits.map { m in
            "not on \(m.pair.machine) with \(m.pair.cartridge): " + m.issues.map { i in
                [i.key.map { k in i.value.map { "\(k) = \($0)" } ?? k }, i.problem].compactMap { $0 }.joined(separator: " ")
            }.joined(separator: "; ")
        }
    }
}
