import ArgumentParser
import Foundation
import StippleModel

/// `stipple machine show NAME`
struct MachineShow: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one machine: drive, USB identity or direct-drive parameters, GPIO lines, limits, actuator model.")

    @Argument(help: "Machine name (see `stipple machine list`).") var name: String
    @Flag(name: .long, help: "Print the machine file itself, to copy and edit.") var toml = false
    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let (file, m) = try cat.machine(named: name)
        if toml {
            ctx.print(try file.text.get().trimmingCharacters(in: .newlines))
            return .success
        }
        if catalog.json {
            var d = machineJSON(m)
            d["file"] = file.path
            ctx.print(renderJSON(d))
            return .success
        }
        let l = m.limits
        ctx.print("\(m.name): \(m.model) (\(m.kind.rawValue))")
        ctx.print("  file       \(file.path)")
        ctx.print("  drive      \(m.drive)" + (m.drive == .gpio ? " (direct drive: Stipple's own loop makes the stroke pulses, the steps and the charge pump)" : " (controller board)"))
        if let usb = m.usb {
            ctx.print("  usb        \(String(format: "%04x:%04x", usb.vendorID, usb.productID)) interface \(usb.interface), bulk out \(String(format: "0x%02x", usb.endpointOut)), in \(String(format: "0x%02x", usb.endpointIn))")
        }
        ctx.print("  gpio       \(m.gpio.chip)")
        for role in GPIOLineRole.allCases {
            guard let line = m.gpio[role] else { continue }
            let dir = role.isInput ? "in" : "out"
            ctx.print("    \(role.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) line \(line.offset) \(dir)\(line.activeLow ? ", active-low" : "")")
        }
        ctx.print("  depth      \(l.depthMin.mm)-\(l.depthMax.mm) mm in \(l.depthStep.mm) mm steps, slew \(ConfigValueText.number(l.depthSlewMillimetresPerSecond)) mm/s")
        ctx.print("  rate       \(l.rateMin.plain)-\(l.rateMax), stroke length \(l.strokeLength)")
        ctx.print("  ramps      \(l.rampMinMilliseconds)-\(l.rampMaxMilliseconds) ms")
        if let d = m.directDrive {
            ctx.print("  stepper    \(ConfigValueText.number(d.stepsPerMillimetre)) steps/mm, at most \(d.maxStepRateHertz) steps/s (\(ConfigValueText.number(d.maximumSlewMillimetresPerSecond)) mm/s), acceleration \(ConfigValueText.number(d.accelerationMillimetresPerSecondSquared)) mm/s²")
            ctx.print("  homing     \(d.homeDirection.rawValue) to the switch within \(d.homeTravel), back off \(d.homeOffset) to zero")
            ctx.print("  stroke     \(d.strokePulseWidthMicroseconds) µs pulse per stroke")
            ctx.print("  watchdog   charge pump \(d.chargePumpHertz) Hz; drivers disabled after \(d.chargePumpTimeoutMilliseconds) ms without an edge")
        } else {
            ctx.print("  heartbeat  firmware stops and retracts after \(m.heartbeatDeadlineMilliseconds) ms without one")
        }
        let a = m.actuator
        ctx.print("  actuator   motor tau \(ConfigValueText.number(a.motorTimeConstantMilliseconds)) ms, \(a.depthStage.rawValue) depth stage, current \(a.motorCurrentNominalMilliamperes) mA nominal / \(a.motorCurrentMaxMilliamperes) mA max, depth sensor noise \(a.depthSensorNoiseMicrometres) µm")
        return .success
    }
}

enum ConfigValueText {
    static func number(_ d: Double) -> String { ConfigValue.float(d).rendered }
}
