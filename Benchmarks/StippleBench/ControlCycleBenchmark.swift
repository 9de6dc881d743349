import CAllocCounter
import Foundation
import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleModel
import StippleSimulator

/// Heap allocations per control cycle: a session needling crown-vertex in virtual time, on the
/// simulated rotary-r1 (a board over USB) and on the simulated direct-d1 (this loop is the
/// firmware). The counter is read around the loop's own work only (`session.cycle`, and on direct
/// drive the firmware's `service` and its stroke edges), so the simulated hardware is not charged
/// to the loop. Also prints the cycle's CPU time, for scale.
enum ControlCycleBenchmark {
    static func run() {
        run(machineName: "rotary-r1")
        run(machineName: "direct-d1")
    }

    static func run(machineName: String) {
        let ms: UInt64 = 1_000_000
        do {
            let cat = HardwareCatalog(layers: [.embedded])
            let machine = try cat.machine(named: machineName).spec
            let cartridge = try cat.cartridge(named: "3RL-0.25").cartridge
            let p = try cat.profile(named: "crown-vertex")
            let settings = try SessionSettings.validated(machine: machine, cartridge: cartridge, cartridgeID: 1,
                                                         profile: p.profile, profileFile: p.file.path, zone: .crown).get()
            let clock = VirtualClock()
            let chip = SimulatedGPIOChip(machine: machine, clock: clock)
            let device: DeviceLink
            var pump: (UInt64) -> Void = { _ in }
            var firmware: DirectDriveFirmware?
            var hardware: SimulatedDirectDriveMachine?
            if machine.drive == .gpio {
                hardware = try SimulatedDirectDriveMachine(chip: chip, clock: clock)
                let fw = try DirectDriveFirmware(machine: machine, gpio: chip, serial: 1, now: 0)
                fw.fitCartridge(maxDepth: cartridge.maxDepth)
                firmware = fw
                device = fw
            } else {
                let sim = SimulatedMachine(machine: machine, cartridge: cartridge, cartridgeID: 1, serial: 1, gpio: chip,
                                           seed: 1, telemetryHertz: 500)
                let link = SimulatedDeviceLink(machine: sim)
                pump = { link.pump(now: $0) }
                device = link
            }
            let requests = try SPSCRing<OperatorRequest>(capacity: 16)
            let records = try RecordRing<ControlRecord>(capacity: 65_536, reserve: 1024)
            let session = ControlSession(machine: machine, device: device, gpio: chip, now: 0, nonce: 7,
                                         linkConfiguration: .forMachine(machine),
                                         requests: { requests.pop() },
                                         records: { r in _ = records.tryPush(r, droppable: r.isDroppable) })
            var now: UInt64 = 0
            var drained = 0
            func cycles(_ n: Int, counting: Bool) -> (allocations: UInt64, seconds: Double) {
                var allocations: UInt64 = 0
                var cpu = 0.0
                for _ in 0..<n {
                    clock.advance(toNanoseconds: now)
                    pump(now)
                    let a = stipple_alloc_count()
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    firmware?.service(now: now)
                    session.cycle(now: now)
                    if let fw = firmware {
                        // Each edge at its planned instant, as the real-time loop sleeps to them.
                        while let e = fw.nextEdge(before: now + ms) {
                            clock.advance(toNanoseconds: e)
                            fw.fireEdge(planned: e, actual: e)
                        }
                    }
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    if counting {
                        allocations += stipple_alloc_count() - a
                        cpu += Double(t1 - t0) / 1e9
                    }
                    while records.ring.pop() != nil { drained += 1 }
                    now += ms
                }
                return (allocations, cpu)
            }
            _ = requests.tryPush(.load(settings))
            _ = cycles(50, counting: false)
            _ = requests.tryPush(.arm(cartridgeCleared: true))
            _ = cycles(50, counting: false)
            // A direct-drive stage homes after arm (a pedal waits for it): about a second here.
            _ = cycles(3_000, counting: false)
            try chip.setInput(.pedal, active: true)
            // Warm-up: ramp-in, first clock syncs (their sample buffers grow to size once).
            _ = cycles(20_000, counting: false)
            let n = 120_000
            let steady = cycles(n, counting: true)
            try chip.setInput(.pedal, active: false)
            let release = cycles(2_000, counting: true)
            print(machine.drive == .gpio
                  ? "control cycle: DirectDriveFirmware.service + ControlSession.cycle + stroke edges needling crown-vertex on simulated \(machineName), virtual time"
                  : "control cycle: ControlSession.cycle needling crown-vertex on simulated \(machineName), virtual time")
            print(String(format: "  allocations   %.4f per cycle while needling (%llu in %d cycles; goal 0)",
                         Double(steady.allocations) / Double(n), steady.allocations, n))
            print(String(format: "  allocations   %llu in 2,000 cycles around a pedal release (pass end)", release.allocations))
            print(String(format: "  cycle time    %.2f µs mean (CPU, this build)", steady.seconds / Double(n) * 1e6))
            print("  records       \(drained) drained, \(records.droppedTelemetry) telemetry dropped, \(records.droppedCritical) critical dropped")
            if firmware != nil {
                // Charged to the loop because the firmware's line writes land in the simulated
                // chip, whose write log (kept for tests) doubles its storage as it grows.
                print("  note          the simulated chip's write log grows by doubling, a few allocations over a run; the firmware itself allocates nothing")
            }
            if let h = hardware?.status {
                print("  hardware      \(h.strokes) strokes, \(h.counters.steps) steps, \(h.counters.lostSteps) lost, \(h.counters.watchdogTrips) watchdog trips")
            }
        } catch {
            print("error: control cycle benchmark could not set up: \(error)")
            exit(1)
        }
    }
}
