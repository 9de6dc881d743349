/// A machine-side fault a test or a demo injects into a `SimulatedMachine`, to see the firmware's
/// reaction and the host's handling of it. Faults of the byte stream itself (drops, corruption,
/// stalls, a pulled cable) belong to the pipe: see `LinkFaults`.
public enum SimulatedFault: Sendable, Hashable {
    /// The stroke motor jams: its rate collapses and its current rises to the drive's maximum, so
    /// the firmware latches motor-stall (fault 3).
    case motorStall
    /// The drive draws more than `motor_current_max_ma` while powered: the firmware latches
    /// overcurrent (fault 4).
    case overcurrent
    /// The depth sensor's reading walks away from the stage's true position at this rate; the
    /// stage itself is unaffected. Only telemetry shows it (the host's bounds check catches it).
    case depthSensorDrift(micrometresPerSecond: Double)
    /// The cartridge comes out: the cartridge-present input goes inactive (on the GPIO chip when
    /// one is attached); armed or running, the firmware latches cartridge-removed (fault 6).
    case cartridgePulled
    /// The firmware hangs on the link: it ignores what arrives and sends nothing, but its
    /// hardware watchdog still enforces the refresh deadline, as the spec requires.
    case unresponsive
    /// Removes every injected fault (a pulled cartridge is put back). Latched faults stay latched
    /// until the host resets them.
    case clear
}
