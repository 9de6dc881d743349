import ArgumentParser
import StippleModel

/// `stipple machine list`
struct MachineList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List known machines and whether each file is valid.")

    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let machines = cat.machines()
        if catalog.json {
            ctx.print(renderJSON(machines.map { f, r -> [String: Any] in
                var d: [String: Any] = ["name": f.name, "file": f.path]
                switch r {
                case .success(let m):
                    d["valid"] = true
                    d.merge(machineJSON(m)) { a, _ in a }
                case .failure(let e):
                    d["valid"] = false
                    d["errors"] = e.issues.map(\.json)
                }
                return d
            }))
        } else {
            let rows = machines.map { f, r -> [String] in
                switch r {
                case .success(let m):
                    return [m.name, m.kind.rawValue, "\(m.limits.depthMin.mm)-\(m.limits.depthMax.mm) mm",
                            "\(m.limits.rateMin.plain)-\(m.limits.rateMax)", m.model, "valid"]
                case .failure(let e):
                    return [f.name, "?", "?", "?", "?",
                            invalidCell(kind: "machine", name: f.name, file: f.path, errors: e.issues.count, configDir: catalog.configDir)]
                }
            }
            renderTable(["MACHINE", "KIND", "DEPTH", "RATE", "MODEL", "STATUS"], rows).forEach(ctx.print)
        }
        return machines.allSatisfy({ (try? $0.result.get()) != nil }) ? .success : .invalidInput
    }
}

func machineJSON(_ m: MachineSpec) -> [String: Any] {
    var lines: [String: Any] = [:]
    for (role, line) in m.gpio.lines { lines[role.rawValue] = ["offset": line.offset, "active_low": line.activeLow] }
    return [
        "name": m.name, "model": m.model, "kind": m.kind.rawValue,
        "heartbeat_deadline_ms": m.heartbeatDeadlineMilliseconds,
        "usb": ["vendor_id": Int(m.usb.vendorID), "product_id": Int(m.usb.productID), "interface": m.usb.interface,
                "endpoint_out": Int(m.usb.endpointOut), "endpoint_in": Int(m.usb.endpointIn)],
        "gpio": ["chip": m.gpio.chip, "lines": lines],
        "limits": [
            "depth_min_mm": m.limits.depthMin.millimetres, "depth_max_mm": m.limits.depthMax.millimetres,
            "depth_step_mm": m.limits.depthStep.millimetres, "rate_min_hz": m.limits.rateMin.hertz,
            "rate_max_hz": m.limits.rateMax.hertz, "stroke_length_mm": m.limits.strokeLength.millimetres,
            "depth_slew_mm_per_s": m.limits.depthSlewMillimetresPerSecond,
            "ramp_min_ms": m.limits.rampMinMilliseconds, "ramp_max_ms": m.limits.rampMaxMilliseconds,
        ],
        "actuator": [
            "motor_time_constant_ms": m.actuator.motorTimeConstantMilliseconds,
            "depth_stage": m.actuator.depthStage.rawValue,
            "motor_current_nominal_ma": m.actuator.motorCurrentNominalMilliamperes,
            "motor_current_max_ma": m.actuator.motorCurrentMaxMilliamperes,
            "depth_sensor_noise_um": m.actuator.depthSensorNoiseMicrometres,
        ],
    ]
}
