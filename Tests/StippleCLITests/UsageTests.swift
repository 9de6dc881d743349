import Foundation
import Testing

/// Command-line mistakes exit 2 and say what was wrong; asking for help exits 0.
@Suite("Usage errors and help")
struct UsageTests {
    @Test(arguments: [
        (["machine", "frob"], "Unexpected argument 'frob'"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
        (["machine", "show"], "Missing expected argument '<name>'"),
        (["cartridge", "show"], "Missing expected argument '<name>'"),
        (["machine", "validate"], "Missing expected argument '<files> ...'"),
        (["profile", "validate"], "Missing expected argument '<files> ...'"),
        (["machine", "list", "--bogus"], "Unknown option '--bogus'"),
        (["profile", "show", "temples", "--machine"], "Missing value for '--machine <machine>'"),
        (["version", "--json"], "Unknown option '--json'"),
    ])
    func usageErrorExits2AndSaysWhatWasWrong(arguments: [String], message: String) {
        let r = runCLI(arguments)
        #expect(r.status == 2)
        #expect(r.out.isEmpty)
        #expect(r.err.contains(message), "stderr:\n\(r.err)")
        #expect(r.err.contains("Usage: stipple"))
    }

    @Test(arguments: ["machine", "cartridge", "profile"])
    func bareGroupExits2AndListsItsSubcommands(group: String) {
        let r = runCLI([group])
        #expect(r.status == 2)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("USAGE: stipple \(group) <subcommand>"))
        #expect(r.err.contains("list"))
        #expect(r.err.contains("show"))
    }

    @Test func noArgumentsExits2AndListsTheCommands() {
        let r = runCLI([])
        #expect(r.status == 2)
        #expect(r.err.contains("USAGE: stipple <subcommand>"))
        for command in ["machine", "cartridge", "profile", "version"] {
            #expect(r.err.contains(command))
        }
    }

    @Test(arguments: [
        (["--help"], "USAGE: stipple <subcommand>"),
        (["-h"], "USAGE: stipple <subcommand>"),
        (["help", "machine"], "USAGE: stipple machine <subcommand>"),
        (["machine", "--help"], "USAGE: stipple machine <subcommand>"),
        (["machine", "show", "--help"], "USAGE: stipple machine show <name>"),
        (["profile", "validate", "--help"], "USAGE: stipple profile validate <files> ..."),
    ])
    func helpExits0AndPrintsUsageOfTheCommandAsked(arguments: [String], usage: String) {
        let r = runCLI(arguments)
        #expect(r.status == 0)
        #expect(r.out.contains(usage), "stdout:\n\(r.out)\nstderr:\n\(r.err)")
        #expect(r.err.isEmpty)
    }
}
