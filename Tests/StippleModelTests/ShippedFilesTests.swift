import Foundation
import Testing
import StippleModel

/// Every file under `Hardware/` must load cleanly, the copy built into the binary must be the same
/// files, and every shipped profile must run on at least one shipped machine + cartridge pair.
@Suite struct ShippedFilesTests {
    @Test func everyKindShipsFiles() {
        #expect(ShippedHardware.names(.machine).count >= 3)
        #expect(ShippedHardware.names(.cartridge).count >= 5)
        #expect(ShippedHardware.names(.profile).count >= 5)
    }

    /// A `.toml` outside the three kind folders would be embedded but never validated or listed.
    @Test func everyShippedTOMLFileIsInAKindFolder() throws {
        // Catalog files live in machines/, cartridges/ and profiles/ (embedded); a TOML file loose
        // in Hardware/ itself would be neither embedded nor found. Deeper folders (the rig's
        // scripts) are not catalog files.
        let hardware = ShippedHardware.root.appending(path: "Hardware")
        var found: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: hardware.path) {
            #expect(!name.hasSuffix(".toml"), "Hardware/\(name) is not in machines/, cartridges/ or profiles/")
        }
        for kind in HardwareCatalog.Kind.allCases {
            let names = try FileManager.default.contentsOfDirectory(atPath: hardware.appending(path: kind.folder).path)
            found += names.filter { $0.hasSuffix(".toml") }.map { "\(kind.folder)/\($0)" }
        }
        let listed = HardwareCatalog.Kind.allCases.flatMap { kind in ShippedHardware.names(kind).map { "\(kind.folder)/\($0).toml" } }
        #expect(found.sorted() == listed.sorted())
    }

    @Test(arguments: ShippedHardware.paths(.machine))
    func shippedMachineValidates(path: String) throws {
        let text = try ConfigFile.read(path: path).get()
        let result = MachineSpec.decode(text: text, file: path)
        let spec = try result.get()
        #expect(path.hasSuffix("/" + spec.name + ".toml"))
    }

    /// The shipped direct-drive machine, and that a machine file without `drive` still means usb.
    @Test func directDriveMachineShipsWithItsLinesAndParameters() throws {
        let d1 = try ShippedHardware.machine("direct-d1")
        #expect(d1.drive == .gpio)
        #expect(d1.usb == nil)
        let dd = try #require(d1.directDrive)
        #expect(dd.maxStepRateHertz <= DirectDriveParameters.loopRateHertz)
        #expect(d1.limits.depthSlewMillimetresPerSecond <= dd.maximumSlewMillimetresPerSecond)
        #expect(d1.heartbeatDeadlineMilliseconds == dd.chargePumpTimeoutMilliseconds)
        for role in GPIOLineRole.allCases where !role.isOptional {
            #expect(d1.gpio[role] != nil, "direct-d1 does not wire \(role)")
        }
        #expect(Set(d1.gpio.lines.values.map(\.offset)).count == d1.gpio.lines.count)
        #expect(GPIOLineRole.depthHome.isInput && !GPIOLineRole.chargePump.isInput)
        for name in ["rotary-r1", "linear-l2"] {
            let m = try ShippedHardware.machine(name)
            #expect(m.drive == .usb && m.usb != nil && m.directDrive == nil)
            #expect(!m.gpio.lines.keys.contains { $0.isDirectDriveOnly })
        }
    }

    @Test(arguments: ShippedHardware.paths(.cartridge))
    func shippedCartridgeValidates(path: String) throws {
        let text = try ConfigFile.read(path: path).get()
        let result = Cartridge.decode(text: text, file: path)
        let cartridge = try result.get()
        #expect(path.hasSuffix("/" + cartridge.name + ".toml"))
        #expect(cartridge.name.hasPrefix(cartridge.configurationName))
    }

    @Test(arguments: ShippedHardware.paths(.profile))
    func shippedProfileValidates(path: String) throws {
        let text = try ConfigFile.read(path: path).get()
        let result = DepthProfile.decode(text: text, file: path)
        let profile = try result.get()
        #expect(path.hasSuffix("/" + profile.name + ".toml"))
    }

    @Test(arguments: ShippedHardware.names(.profile))
    func shippedProfileFitsSomeShippedMachineAndCartridge(name: String) throws {
        let profile = try ShippedHardware.profile(name)
        let assessment = ProfileAssessment(
            profile: profile, file: ShippedHardware.path(.profile, name),
            machines: try ShippedHardware.allMachines(), cartridges: try ShippedHardware.allCartridges(),
            explicitCartridge: nil, explicitMachine: false)
        #expect(assessment.errors.isEmpty, "\(ConfigError(assessment.errors))")
        #expect(!assessment.fits.isEmpty)
        #expect(assessment.isValid)
        // Only listed cartridges are considered when none is named.
        for pair in assessment.fits {
            #expect(profile.compatibleCartridges.contains(pair.cartridge))
        }
    }

    @Test(arguments: HardwareCatalog.Kind.allCases)
    func embeddedCatalogListsTheFilesOnDisk(kind: HardwareCatalog.Kind) {
        let catalog = HardwareCatalog(layers: [.embedded])
        #expect(catalog.names(kind) == ShippedHardware.names(kind))
        #expect(!catalog.names(kind).isEmpty)
    }

    @Test(arguments: HardwareCatalog.Kind.allCases)
    func embeddedCopyEqualsTheFilesOnDisk(kind: HardwareCatalog.Kind) throws {
        let catalog = HardwareCatalog(layers: [.embedded])
        for file in catalog.sourceFiles(kind) {
            #expect(file.layer == .embedded)
            #expect(file.path == "Hardware/\(kind.folder)/\(file.name).toml")
            let embedded = try file.text.get()
            let onDisk = try ShippedHardware.text(kind, file.name)
            #expect(embedded == onDisk, "built-in \(file.path) differs from the file on disk")
        }
    }

    @Test func embeddedCatalogDecodesEveryShippedFile() {
        let catalog = HardwareCatalog(layers: [.embedded])
        for (file, result) in catalog.machines() {
            if case .failure(let e) = result { Issue.record("\(file.path): \(e)") }
        }
        for (file, result) in catalog.cartridges() {
            if case .failure(let e) = result { Issue.record("\(file.path): \(e)") }
        }
        for (file, result) in catalog.profiles() {
            if case .failure(let e) = result { Issue.record("\(file.path): \(e)") }
        }
        #expect(catalog.machines().count == ShippedHardware.names(.machine).count)
    }

    @Test func directoryLayerOverHardwareFolderMatchesEmbedded() {
        let disk = HardwareCatalog(layers: [.directory(ShippedHardware.root.appending(path: "Hardware").path)])
        let embedded = HardwareCatalog(layers: [.embedded])
        for kind in HardwareCatalog.Kind.allCases {
            #expect(disk.names(kind) == embedded.names(kind))
            for (a, b) in zip(disk.sourceFiles(kind), embedded.sourceFiles(kind)) {
                let fromDisk = try? a.text.get(), builtIn = try? b.text.get()
                #expect(fromDisk != nil && fromDisk == builtIn, "\(a.path) vs \(b.path)")
            }
        }
    }
}
