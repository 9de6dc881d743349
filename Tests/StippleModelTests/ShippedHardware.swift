import Foundation
import Testing
import StippleModel

/// The shipped `Hardware/` files, read from the repository on disk (not from the embedded copy),
/// so the tests check exactly what is committed.
enum ShippedHardware {
    /// The repository root: this file is `<root>/Tests/StippleModelTests/ShippedHardware.swift`.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func folder(_ kind: HardwareCatalog.Kind) -> URL {
        root.appending(path: "Hardware").appending(path: kind.folder)
    }

    /// Paths of every `.toml` file of `kind`, sorted by name.
    static func paths(_ kind: HardwareCatalog.Kind) -> [String] {
        let dir = folder(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted().map { dir.appending(path: $0).path }
    }

    /// File stems of every `.toml` file of `kind`, sorted.
    static func names(_ kind: HardwareCatalog.Kind) -> [String] {
        paths(kind).map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
    }

    static func path(_ kind: HardwareCatalog.Kind, _ name: String) -> String {
        folder(kind).appending(path: name + ".toml").path
    }

    /// The text of a shipped file; a file that cannot be read fails the calling test.
    static func text(_ kind: HardwareCatalog.Kind, _ name: String) throws -> String {
        try ConfigFile.read(path: path(kind, name)).get()
    }

    static func machine(_ name: String) throws -> MachineSpec {
        try MachineSpec.decode(text: text(.machine, name), file: path(.machine, name)).get()
    }

    static func cartridge(_ name: String) throws -> Cartridge {
        try Cartridge.decode(text: text(.cartridge, name), file: path(.cartridge, name)).get()
    }

    static func profile(_ name: String) throws -> DepthProfile {
        try DepthProfile.decode(text: text(.profile, name), file: path(.profile, name)).get()
    }

    static func allMachines() throws -> [MachineSpec] {
        try names(.machine).map(machine)
    }

    static func allCartridges() throws -> [String: Cartridge] {
        var out: [String: Cartridge] = [:]
        for name in names(.cartridge) { out[name] = try cartridge(name) }
        return out
    }
}
