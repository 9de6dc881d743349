import Foundation
import PackagePlugin

/// Regenerates `EmbeddedHardware.swift` from every `.toml` under `Hardware/` whenever one changes.
@main
struct EmbedHardwarePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let hardware = context.package.directoryURL.appending(path: "Hardware")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedHardware.swift")
        // Only the catalog's folders: other TOML under Hardware/ (rig scripts) is not a shipped default.
        var inputs: [URL] = []
        for folder in ["machines", "cartridges", "profiles"] {
            let dir = hardware.appending(path: folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            inputs += names.filter { $0.hasSuffix(".toml") }.map { dir.appending(path: $0) }
        }
        inputs.sort { $0.path < $1.path }
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) Hardware/ files",
                executable: try context.tool(named: "EmbedHardware").url,
                arguments: [hardware.path, output.path],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
