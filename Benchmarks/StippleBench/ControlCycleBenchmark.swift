import CAllocCounter
import Foundation
import StippleControl
import StippleModel
import StippleSimulator

/// Heap allocations per control cycle: a session needling crown-vertex on the simulated rotary-r1
/// in virtual time. The counter is read around `session.cycle` only, so the simulator's own work
/// is not charged to the control loop. Also prints the cycle's CPU time, for scale.
enum ControlCycleBenchmark {
    static func run() {
        let ms: UInt64 = 1_000_000
        do {
            let cat = HardwareCatalog(layers: [.embedded])
            let machine = try cat.machine(named: "rotary-r1").spec
            let cartridge = try cat.cartridge(named: "3RL-0.25").cartridge
            let p = try cat.profile(named: "crown-vertex")
            let settings = try SessionSettings.validated(machine: machine, cartridge: cartridge, cartridgeID: 1,
                                                         profile: p.profile, profileFile: p.file.path, zone: .crown).get()
            let clock = VirtualClock()
            let chip = SimulatedGPIOChip(machine: machine, clock: clock)
            let sim = SimulatedMachine(machine: machine, cartridge: cartridge, cartridgeID: 1, serial: 1, gpio: chip,
                                       seed: 1, telemetryHertz: 500)
            let link = SimulatedDeviceLink(machine: sim)
            let requests = try SPSCRing<OperatorRequest>(capacity: 16)
            let records = try RecordRing<ControlRecord>(capacity: 65_536, reserve: 1024)
            let session = ControlSession(machine: machine, device: link, gpio: chip, now: 0, nonce: 7,
                                         requests: { requests.pop() },
                                         records: { r in _ = records.tryPush(r, droppable: r.isDroppable) })
            var now: UInt64 = 0
            var drained = 0
            func cycles(_ n: Int, counting: Bool) -> (allocations: UInt64, seconds: Double) {
                var allocations: UInt64 = 0
                var cpu = 0.0
                for _ in 0..<n {
                    clock.advance(toNanoseconds: now)
                    link.pump(now: now)
                    let a = stipple_alloc_count()
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    session.cycle(now: now)
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
            try chip.setInput(.pedal, active: true)
            // Warm-up: ramp-in, first clock syncs (their sample buffers grow to size once).
            _ = cycles(20_000, counting: false)
            let n = 120_000
            let steady = cycles(n, counting: true)
            try chip.setInput(.pedal, active: false)
            let release = cycles(2_000, counting: true)
            print("control cycle: ControlSession.cycle needling crown-vertex on simulated rotary-r1, virtual time")
            print(String(format: "  allocations   %.4f per cycle while needling (%llu in %d cycles; goal 0)",
                         Double(steady.allocations) / Double(n), steady.allocations, n))
            print(String(format: "  allocations   %llu in 2,000 cycles around a pedal release (pass end)", release.allocations))
            print(String(format: "  cycle time    %.2f µs mean (CPU, this build)", steady.seconds / Double(n) * 1e6))
            print("  records       \(drained) drained, \(records.droppedTelemetry) telemetry dropped, \(records.droppedCritical) critical dropped")
        } catch {
            print("error: control cycle benchmark could not set up: \(error)")
            exit(1)
        }
    }
}
