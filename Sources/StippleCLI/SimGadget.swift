import ArgumentParser
import Foundation
import Synchronization
import StippleModel
import StippleSimulator

/// Set by SIGINT/SIGTERM so the gadget stops its endpoint threads before exiting.
private let stopGadget = Atomic<Bool>(false)

/// `stipple sim gadget --machine M --ffs DIR`: the simulated machine as a real USB device, served
/// through a mounted FunctionFS function (Linux gadget mode; dummy_hcd in the test rig), so
/// Stipple's libusb backend runs against it over the kernel's USB stack.
struct SimGadget: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "gadget",
        abstract: "Serve a simulated machine as a USB device through FunctionFS until interrupted.",
        discussion: """
            Order (the kernel's): create the configfs gadget with the machine's VID:PID and mount \
            its functionfs at DIR (Hardware/rig/guest/usb-setup.sh VID PID DIR), start this \
            command (it writes the descriptors, which creates DIR/ep1 and DIR/ep2), then bind the \
            gadget to a UDC (Hardware/rig/guest/usb-bind.sh). Unbinding and binding again is an \
            unplug and replug; the gadget keeps serving. Needs root (or a functionfs mounted with \
            this user's uid).
            """)

    @Option(help: "Machine name.") var machine: String
    @Option(help: "Mounted functionfs directory (holds ep0).") var ffs: String
    @Option(help: "Cartridge type fitted in the simulated machine.") var cartridge: String = "1RL-0.25"
    @Option(name: .customLong("cartridge-id"), help: "The fitted cartridge's id.") var cartridgeID: UInt64 = 1
    @Option(help: "Serial number the firmware reports in identify_reply.") var serial: UInt64 = 0x5717_0003
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).") var seconds: Double?
    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let spec = try cat.machine(named: machine).spec
        let usb = try spec.usbDrive(for: "stipple sim gadget", why: "the gadget presents a simulated board on USB. A direct-drive machine runs simulated with `stipple run --sim`")
        let cart = try cat.cartridge(named: cartridge).cartridge
        let sim = SimulatedMachine(machine: spec, cartridge: cart, cartridgeID: cartridgeID, serial: serial,
                                   gpio: nil, seed: 3, telemetryHertz: 500)
        let gadget: FunctionFSGadget
        do { gadget = try FunctionFSGadget(directory: ffs, machine: sim) } catch {
            ctx.printError(error.description)
            return .invalidInput
        }
        signal(SIGINT) { _ in stopGadget.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopGadget.store(true, ordering: .relaxed) }
        ctx.print("simulated \(spec.name) (\(hex(usb.vendorID)):\(hex(usb.productID))) on FunctionFS \(ffs): descriptors written, "
                  + "ep1 OUT asks 0x\(hex(usb.endpointOut)), ep2 IN asks 0x\(hex(usb.endpointIn)) (the UDC may renumber them); "
                  + "bind the gadget to a UDC now")
        if let seconds {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { stopGadget.store(true, ordering: .relaxed) }
        }
        do { try gadget.run(stop: stopGadget) } catch {
            ctx.printError(error.description)
            return .invalidInput
        }
        // The firmware's own log: after an unplug it shows the refresh deadline stopping the motor.
        for f in sim.latchLog {
            let detail = f.code == 1 ? "\(f.detail) ms after the last heartbeat" : "detail \(f.detail)"
            let stopped = f.motorStoppedAt.map { String(format: "motor stopped %.1f ms later", Double($0 &- f.at) / 1e6) } ?? "motor still turning"
            ctx.print(String(format: "firmware latched %@ at %.6f s (CLOCK_MONOTONIC), %@, stroking at %.1f Hz; %@",
                             f.name, Double(f.at) / 1e9, detail, f.rateAtLatchHertz, stopped))
        }
        let s = gadget.statistics
        ctx.print("served: \(s.enables) enable(s), \(s.disables) disable(s), \(s.unbinds) unbind(s); \(s.bytesFromHost) bytes in, "
                  + "\(s.bytesToHost) bytes out, \(s.outboundOverflowBytes) dropped; \(s.cycles) cycles (\(s.lateCycles) late)")
        return .success
    }

    private func hex<T: BinaryInteger>(_ v: T) -> String {
        let s = String(v, radix: 16)
        let width = MemoryLayout<T>.size * 2
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
