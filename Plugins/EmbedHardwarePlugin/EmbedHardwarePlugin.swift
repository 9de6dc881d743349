import Foundation
import PackagePlugin

/// Regenerates `EmbeddedHardware.swift` from every `.toml` under `Hardware/` whenever one changes.
@main
struct EmbedHardwarePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let hardware = context.package.directoryURL.appending(path: "Hardware")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedHardware.swift")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: hardware, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "toml" {
                inputs.append(url)
            }
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
