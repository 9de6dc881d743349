import ArgumentParser
import StippleLinux

/// `stipple devices`: the hardware this controller can reach, section by section, so a
/// technician wiring a machine sees which chip and lines exist, who holds each line, and what
/// stops Stipple from opening them. Exit 0 when every device could be read (none at all
/// included), 1 when one could not (the reason and the fix are on stderr).
struct DevicesCommand: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the GPIO chips and their lines (name, user, direction, active-low).")

    func run(in ctx: CLIContext) throws -> ExitStatus {
        var statuses: [ExitStatus] = []
        statuses.append(gpioSection(GPIOChipInventory.scan(), in: ctx))
        // usbSection: the machines' USB controller boards go here, as a section of their own
        // (a heading, a listing, problems on stderr) appending its status.
        return statuses.first { $0 != .success } ?? .success
    }
}

/// The GPIO section: each readable chip with its lines, each unreadable one as an error that
/// says what to do.
func gpioSection(_ inventory: GPIOChipInventory, in ctx: CLIContext) -> ExitStatus {
    ctx.print("GPIO")
    if inventory.isEmpty {
        ctx.print("  no GPIO chips found (this machine has no /dev/gpiochip*)")
        return .success
    }
    for (i, chip) in inventory.chips.enumerated() {
        if i > 0 { ctx.print("") }
        let used = chip.lines.filter(\.used).count
        ctx.print("  \(chip.name) [\(chip.label)] \(chip.device): \(chip.lineCount) lines, \(used) in use")
        let rows = chip.lines.map { line -> [String] in
            [String(line.offset), line.name ?? "-", line.direction.rawValue, line.activeLow ? "low" : "high",
             line.used ? (line.consumer ?? "(no label)") : "-"]
        }
        renderTable(["LINE", "NAME", "DIRECTION", "ACTIVE", "USED BY"], rows).forEach { ctx.print("    " + $0) }
    }
    for failure in inventory.failures {
        ctx.print("  \(failure.device): not readable (see the error)")
        ctx.printError("error: \(failure.error)")
    }
    return inventory.failures.isEmpty ? .success : .invalidInput
}
