#if canImport(Glibc)
import Glibc
#endif
import StippleDirectDrive
import StippleHardware
import StippleLinux
import StippleModel
import StippleSimulator

/// A direct-drive machine for `stipple calibrate depth`: the firmware that is normally the run's
/// loop, serviced here between the stage driver's waits (a calibration moves the stage and reads
/// a gauge, it does not stroke, so 1 ms waits keep the charge pump and the steps going well
/// inside their bounds). Simulated (virtual time, the gauge reads the simulated stage) or on the
/// machine's own GPIO chip.
final class DirectDriveCalibrationRig {
    let firmware: DirectDriveFirmware
    let now: () -> UInt64
    let idle: () -> Void
    let source: String
    /// The simulated gauge: the stage's physical depth from zero (mm); nil on hardware.
    let gauge: (() -> Double)?

    init(spec: MachineSpec, cartridge: Cartridge?, simulated: Bool) throws {
        let serial = DirectDriveFirmware.serial(for: spec)
        if simulated {
            let clock = VirtualClock()
            let chip = SimulatedGPIOChip(machine: spec, clock: clock)
            let hardware = try SimulatedDirectDriveMachine(chip: chip, clock: clock)
            let fw = try DirectDriveFirmware(machine: spec, gpio: chip, serial: serial, now: 0)
            firmware = fw
            now = { clock.now().nanoseconds }
            idle = {
                let next = clock.now().nanoseconds + 1_000_000
                while let e = fw.nextEdge(before: next) {
                    clock.advance(toNanoseconds: e)
                    fw.fireEdge(planned: e, actual: e)
                }
                clock.advance(toNanoseconds: next)
                fw.service(now: next)
            }
            source = "simulated direct drive"
            let p = hardware.parameters
            let away = p.homeDirection == .up ? 1.0 : -1.0
            // Steps from the switch's trip point; zero is home_offset beyond it. A fitted
            // cartridge's membrane takes its nominal offset off the needle (as the USB simulator's).
            let membrane = cartridge?.membraneOffset.millimetres ?? 0
            gauge = { (hardware.status.positionMillimetres * away - p.homeOffset.millimetres) * away - membrane }
        } else {
            let lines: LinuxGPIOLines
            do { lines = try LinuxGPIOLines(machine: spec) } catch {
                throw CLIError("cannot open the GPIO lines of \(spec.name) on \(spec.gpio.chip): \(error)")
            }
            let clock = SystemMonotonicClock()
            let fw = try DirectDriveFirmware(machine: spec, gpio: lines, serial: serial, now: clock.now().nanoseconds)
            firmware = fw
            now = { clock.now().nanoseconds }
            idle = {
                var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
                nanosleep(&ts, nil)
                let t = clock.now().nanoseconds
                fw.service(now: t)
                while let e = fw.nextEdge(before: t + 1) { fw.fireEdge(planned: e, actual: clock.now().nanoseconds) }
            }
            source = "direct drive, GPIO \(spec.gpio.chip)"
            gauge = nil
        }
        firmware.fitCartridge(maxDepth: cartridge?.maxDepth)
    }
}
