import Foundation

/// The machine, cartridge and profile files Stipple knows, found along a search path: the
/// `--config-dir` folder, then `$STIPPLE_CONFIG_DIR`, then the `Hardware/` files built into the
/// binary. A name found earlier on the path shadows the same name later on it, so a clinic can
/// override a shipped file without editing it.
public struct HardwareCatalog: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case machine, cartridge, profile
        public var folder: String { rawValue + "s" }
    }

    /// One place files come from.
    public enum Layer: Sendable, Equatable, CustomStringConvertible {
        case directory(String)
        case embedded

        public var description: String {
            switch self {
            case .directory(let p): p
            case .embedded: "built-in Hardware/"
            }
        }
    }

    /// A file as found: its path for messages and its text.
    public struct SourceFile: Sendable, Equatable {
        public var name: String
        public var path: String
        public var text: Result<String, ConfigError>
        public var layer: Layer
    }

    public let layers: [Layer]
    private var files: [Kind: [SourceFile]]

    /// Builds the search path; a named folder that does not exist is an error, not silently skipped.
    public static func resolve(configDir: String?, environment: [String: String]) throws(CatalogError) -> HardwareCatalog {
        var layers: [Layer] = []
        for (origin, dir) in [("--config-dir", configDir), ("$STIPPLE_CONFIG_DIR", environment["STIPPLE_CONFIG_DIR"])] {
            guard let dir, !dir.isEmpty else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
                throw .missingConfigDirectory(dir, origin: origin)
            }
            guard isDir.boolValue else { throw .notADirectory(dir, origin: origin) }
            layers.append(.directory(dir))
        }
        layers.append(.embedded)
        return HardwareCatalog(layers: layers)
    }

    public init(layers: [Layer]) {
        self.layers = layers
        var files: [Kind: [SourceFile]] = [:]
        for kind in Kind.allCases {
            var byName: [String: SourceFile] = [:]
            for layer in layers {
                for file in HardwareCatalog.scan(layer, kind) where byName[file.name] == nil {
                    byName[file.name] = file
                }
            }
            files[kind] = byName.values.sorted { $0.name < $1.name }
        }
        self.files = files
    }

    private static func scan(_ layer: Layer, _ kind: Kind) -> [SourceFile] {
        switch layer {
        case .embedded:
            let prefix = "Hardware/\(kind.folder)/"
            return EmbeddedHardware.files.compactMap { entry in
                guard entry.path.hasPrefix(prefix), !entry.path.dropFirst(prefix.count).contains("/") else { return nil }
                let text: Result<String, ConfigError> = Data(base64Encoded: entry.base64)
                    .map { ConfigFile.decode($0, file: entry.path) }
                    ?? .failure(ConfigError([ConfigIssue(file: entry.path, problem: "built-in copy is damaged", fix: "Rebuild Stipple")]))
                let stem = String(entry.path.dropFirst(prefix.count).dropLast(".toml".count))
                return SourceFile(name: stem, path: entry.path, text: text, layer: layer)
            }
        case .directory(let dir):
            let folder = (dir as NSString).appendingPathComponent(kind.folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter { $0.hasSuffix(".toml") }.sorted().map { fileName in
                let path = (folder as NSString).appendingPathComponent(fileName)
                return SourceFile(name: String(fileName.dropLast(".toml".count)), path: path,
                                  text: ConfigFile.read(path: path), layer: layer)
            }
        }
    }

    public func sourceFiles(_ kind: Kind) -> [SourceFile] { files[kind] ?? [] }

    public func names(_ kind: Kind) -> [String] { sourceFiles(kind).map(\.name) }

    /// Every machine, valid or not, for listings.
    public func machines() -> [(file: SourceFile, result: Result<MachineSpec, ConfigError>)] {
        sourceFiles(.machine).map { f in (f, f.text.flatMap { MachineSpec.decode(text: $0, file: f.path) }) }
    }

    public func cartridges() -> [(file: SourceFile, result: Result<Cartridge, ConfigError>)] {
        sourceFiles(.cartridge).map { f in (f, f.text.flatMap { Cartridge.decode(text: $0, file: f.path) }) }
    }

    public func profiles() -> [(file: SourceFile, result: Result<DepthProfile, ConfigError>)] {
        sourceFiles(.profile).map { f in (f, f.text.flatMap { DepthProfile.decode(text: $0, file: f.path) }) }
    }

    public func machine(named name: String) throws(CatalogError) -> (file: SourceFile, spec: MachineSpec) {
        let f = try find(.machine, name)
        do { return (f, try f.text.flatMap { MachineSpec.decode(text: $0, file: f.path) }.get()) }
        catch { throw .invalid(error) }
    }

    public func cartridge(named name: String) throws(CatalogError) -> (file: SourceFile, cartridge: Cartridge) {
        let f = try find(.cartridge, name)
        do { return (f, try f.text.flatMap { Cartridge.decode(text: $0, file: f.path) }.get()) }
        catch { throw .invalid(error) }
    }

    public func profile(named name: String) throws(CatalogError) -> (file: SourceFile, profile: DepthProfile) {
        let f = try find(.profile, name)
        do { return (f, try f.text.flatMap { DepthProfile.decode(text: $0, file: f.path) }.get()) }
        catch { throw .invalid(error) }
    }

    private func find(_ kind: Kind, _ name: String) throws(CatalogError) -> SourceFile {
        guard let f = sourceFiles(kind).first(where: { $0.name == name }) else {
            throw .notFound(kind: kind.rawValue, name: name, known: names(kind), searched: layers.map(\.description))
        }
        return f
    }
}

/// Looking something up in the catalog failed.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(kind: String, name: String, known: [String], searched: [String])
    case missingConfigDirectory(String, origin: String)
    case notADirectory(String, origin: String)
    case invalid(ConfigError)

    public var description: String {
        switch self {
        case .notFound(let kind, let name, let known, let searched):
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "error: \(kind) \"\(name)\" not found (searched \(searched.joined(separator: ", "))): no \(kind)s/\(name).toml there. Known \(kind)s: \(list)"
        case .missingConfigDirectory(let dir, let origin):
            return "error: configuration folder \(dir) (from \(origin)) does not exist: Stipple would silently fall back to the built-in files. Create it or correct the path"
        case .notADirectory(let dir, let origin):
            return "error: configuration folder \(dir) (from \(origin)) is a file, not a folder: it must hold machines/, cartridges/ and profiles/. Name the folder instead"
        case .invalid(let e):
            return e.description
        }
    }
}
