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
    var d: [String: Any] = [
        "name": m.name, "model": m.model, "kind": m.kind.rawValue, "drive": m.drive.rawValue,
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
    if let usb = m.usb {
        d["heartbeat_deadline_ms"] = m.heartbeatDeadlineMilliseconds
        d["usb"] = ["vendor_id": Int(usb.vendorID), "product_id": Int(usb.productID), "interface": usb.interface,
                    "endpoint_out": Int(usb.endpointOut), "endpoint_in": Int(usb.endpointIn)]
    }
    if let dd = m.directDrive {
        d["direct_drive"] = [
            "steps_per_mm": dd.stepsPerMillimetre, "max_step_rate_hz": dd.maxStepRateHertz,
            "acceleration_mm_s2": dd.accelerationMillimetresPerSecondSquared, "home_direction": dd.homeDirection.rawValue,
            "home_offset_mm": dd.homeOffset.millimetres, "home_travel_mm": dd.homeTravel.millimetres,
            "stroke_pulse_width_us": dd.strokePulseWidthMicroseconds, "charge_pump_hz": dd.chargePumpHertz,
            "charge_pump_timeout_ms": dd.chargePumpTimeoutMilliseconds,
        ] as [String: Any]
    }
    return d
}
