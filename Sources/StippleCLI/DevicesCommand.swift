import ArgumentParser
import StippleLinux
import StippleModel

/// `stipple devices`: the hardware this controller can reach, section by section, so a
/// technician wiring a machine sees which chip and lines exist, who holds each line, and what
/// stops Stipple from opening them. Exit 0 when every device could be read (none at all
/// included), 1 when one could not (the reason and the fix are on stderr).
struct DevicesCommand: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the GPIO chips and their lines (name, user, direction, active-low), and the machines on USB.")

    @Flag(help: "Also open each machine found on USB and ask its firmware for its version and serial number.")
    var identify = false
    @Flag(name: .customLong("adopt-endpoints"), help: "With --identify: use the bulk endpoints the device lists when they differ from the machine file (test rigs whose gadget controller renumbers them).")
    var adoptEndpoints = false
    @Option(name: .customLong("round-trips"), help: "With --identify: then send this many commands one at a time (clock_request) and report lost ones and the round-trip times; exit 1 if any is lost.")
    var roundTrips = 0
    @Option(name: .customLong("config-dir"), help: "Folder with machines/ searched before $STIPPLE_CONFIG_DIR and the built-in files.")
    var configDir: String?

    func validate() throws {
        if roundTrips < 0 || roundTrips > 1_000_000 { throw ValidationError("--round-trips \(roundTrips): give 1 to 1000000") }
        if roundTrips > 0 && !identify { throw ValidationError("--round-trips needs --identify: the commands go to an identified machine") }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        var statuses: [ExitStatus] = []
        statuses.append(gpioSection(GPIOChipInventory.scan(), in: ctx))
        ctx.print("")
        let machines = try HardwareCatalog.resolve(configDir: configDir, environment: ctx.environment).machines().compactMap { try? $0.result.get() }
        let usb = Result { () throws(USBLinkError) in try USBInventory.scan(machines: machines) }
        statuses.append(usbSection(usb, machines: machines, identify: identify ? (adoptEndpoints ? .adoptDevice : .strict) : nil,
                                   roundTrips: roundTrips, in: ctx))
        // So a technician looking for a direct-drive machine under USB learns why it is absent.
        let direct = machines.filter { $0.drive == .gpio }.map(\.name)
        if !direct.isEmpty {
            ctx.print("  not on USB: \(direct.joined(separator: ", ")) (drive = \"gpio\": driven straight from the GPIO lines by `stipple run`)")
        }
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

/// The USB section: every connected device whose VID:PID a machine file names, with its serial
/// number and bus position; with `identify` (the endpoint check to use), each one's firmware
/// version and serial number from the identify exchange. A device that cannot be read or
/// identified is an error on stderr with what to do, and exit 1.
func usbSection(_ scan: Result<USBInventory, USBLinkError>, machines: [MachineSpec], identify: USBEndpointCheck?,
                roundTrips: Int = 0, in ctx: CLIContext) -> ExitStatus {
    ctx.print("USB")
    let inventory: USBInventory
    switch scan {
    case .success(let i): inventory = i
    case .failure(let error):
        ctx.print("  USB not readable (see the error)")
        ctx.printError("error: \(error)")
        return .invalidInput
    }
    if inventory.devices.isEmpty {
        let wanted = machines.compactMap { m in m.usb.map { "\(USBLinkError.id($0.vendorID, $0.productID)) \(m.name)" } }
        ctx.print("  no machine on USB (looked for \(wanted.joined(separator: ", ")))")
        return .success
    }
    var status = ExitStatus.success
    let rows = inventory.devices.map { d -> [String] in
        [d.machines.joined(separator: "/"), d.models.first ?? "-", d.id, d.serialNumber ?? (d.problem == nil ? "-" : "?"),
         String(d.bus), String(d.address), d.speed]
    }
    renderTable(["MACHINE", "MODEL", "ID", "SERIAL", "BUS", "ADDRESS", "SPEED"], rows).forEach { ctx.print("  " + $0) }
    for d in inventory.devices {
        if let problem = d.problem {
            ctx.printError("error: machine \(d.id) (bus \(d.bus) address \(d.address)): \(problem)")
            status = .invalidInput
        }
    }
    guard let check = identify else { return status }
    for d in inventory.devices {
        guard let spec = machines.first(where: { d.machines.first == $0.name }) else { continue }
        let probe = USBIdentifyProbe(machine: spec, serialNumber: d.serialNumber, endpointCheck: check, roundTrips: roundTrips)
        switch probe.run() {
        case .success(let answer):
            let c = answer.connection
            let i = answer.identity
            ctx.print("  \(d.id) \(d.serialNumber ?? "-"): firmware \(i.firmwareVersionText), serial 0x\(String(i.serial, radix: 16)), "
                      + "clock \(i.tickHertz) Hz, window \(i.maxWindow); endpoints OUT \(hexByte(c.endpointOut)) "
                      + "IN \(hexByte(c.endpointIn)), \(c.maxPacketSizeOut)-byte packets")
            for note in c.notes { ctx.print("    note: \(note)") }
            if let r = answer.roundTrips {
                ctx.print("    \(r.summary)")
                if !r.clean {
                    ctx.printError("error: \(spec.name) \(d.id): \(r.lost) of \(r.sent) commands got no reply within 1 s and \(r.mismatched) replies were not the one asked for: check the cable and the hub, and run again")
                    status = .invalidInput
                }
            }
        case .failure(let failure):
            ctx.print("  \(d.id) \(d.serialNumber ?? "-"): not identified (see the error)")
            ctx.printError("error: identify \(spec.name) \(d.id): \(failure)")
            status = .invalidInput
        }
    }
    return status
}

private func hexByte(_ v: UInt8) -> String {
    let s = String(v, radix: 16)
    return "0x" + (s.count < 2 ? "0" + s : s)
}
