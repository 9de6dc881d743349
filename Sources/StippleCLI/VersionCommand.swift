import ArgumentParser
import StippleLinux

/// `stipple version`: this build and the C libraries it links.
struct VersionCommand: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Show Stipple's version and the libgpiod/libusb versions it links.")

    static let stippleVersion = "0.1.0"

    func run(in ctx: CLIContext) throws -> ExitStatus {
        ctx.print("stipple \(Self.stippleVersion)")
        ctx.print("libgpiod \(NativeLibraries.gpiodVersion)")
        ctx.print("libusb \(NativeLibraries.libusbVersion)")
        return .success
    }
}
