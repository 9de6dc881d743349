import StippleHardware
import StippleModel
import Synchronization

/// The hardware of a direct-drive (`drive = "gpio"`) machine, driven only by the simulated GPIO
/// lines the loop writes, as the real drivers are by the header's pins: a solenoid driver that
/// throws the needle once per `stroke_pulse` rising edge, a STEP/DIR/ENABLE stepper on the depth
/// stage with its home switch on `depth_home`, and the breakout's charge-pump watchdog that holds
/// both drivers enabled only while `charge_pump` keeps toggling.
///
/// It sees every output edge as it is written (a step pulse rises and falls within one control
/// cycle, so sampling levels would miss it), stamped with the chip's clock; with a `VirtualClock`
/// the whole machine runs in virtual time. The watchdog needs no thread of its own: it is judged
/// at each edge and each status read, from the time of the last pump edge, which is exactly when
/// the monostable would have dropped.
public final class SimulatedDirectDriveMachine: Sendable {
    private struct State {
        var motorEnable: Bool
        var depthEnable: Bool
        var deeper: Bool
        /// Watchdog: drivers enabled, the last pump edge, and edges in the current run while disabled.
        var pumpAlive = false
        var lastPumpEdge: UInt64 = 0
        var pumpRun = 0
        /// The stroke pulse being driven into the coil, if any.
        var pulseStart: UInt64?
        var lastStep: UInt64?
        var position: Int
        var homeActive = false
        var counters = SimulatedDirectDriveCounters()
        /// Recent stroke instants, a fixed ring: the rate needs at most one second of them.
        var strokeTimes: [UInt64]
        var strokeNext = 0
    }

    /// Strokes remembered for the rate; ten times the fastest stroke rate any machine allows, so
    /// the last second always fits unless the loop has gone badly wrong (then the rate saturates).
    public static let strokeHistory = 2048
    private static let second: UInt64 = 1_000_000_000

    public let parameters: DirectDriveParameters
    public let tolerances: SimulatedDirectDriveTolerances
    private let chip: SimulatedGPIOChip
    private let clock: any MonotonicClock
    private let state: Mutex<State>

    /// Wires the machine to `chip` (which must use `clock`) and sets the home switch input for
    /// the start position. Replaces any earlier observer of the chip's outputs.
    public init(chip: SimulatedGPIOChip, clock: any MonotonicClock,
                tolerances: SimulatedDirectDriveTolerances = .standard) throws(SimulatedDirectDriveError) {
        let spec = chip.machine
        guard let parameters = spec.directDrive else { throw .notDirectDrive(machine: spec.name) }
        for role in [GPIOLineRole.strokePulse, .depthStep, .depthDirection, .depthEnable, .depthHome, .chargePump, .motorEnable]
        where chip.level(role) == nil {
            throw .lineMissing(machine: spec.name, role: role)
        }
        self.parameters = parameters
        self.tolerances = tolerances
        self.chip = chip
        self.clock = clock
        let away = parameters.homeDirection == .up ? 1.0 : -1.0
        let start = Int((away * tolerances.startMillimetresFromHome * parameters.stepsPerMillimetre).rounded())
        var s = State(motorEnable: chip.output(.motorEnable), depthEnable: chip.output(.depthEnable),
                      deeper: chip.output(.depthDirection), position: start,
                      strokeTimes: Array(repeating: 0, count: Self.strokeHistory))
        s.homeActive = Self.homeSwitch(at: start, parameters, tolerances)
        state = Mutex(s)
        setHomeInput(s.homeActive)
        chip.observeOutputEdges { [weak self] role, active, at in self?.edge(role, active: active, at: at.nanoseconds) }
    }

    /// The switch sits at the trip point and stays pressed past it in the home direction.
    private static func homeSwitch(at position: Int, _ p: DirectDriveParameters, _ t: SimulatedDirectDriveTolerances) -> Bool {
        guard t.homeSwitchWorks else { return false }
        return p.homeDirection == .up ? position <= 0 : position >= 0
    }

    private func setHomeInput(_ active: Bool) {
        // The init checked that depth_home is wired, and it is an input: setInput cannot fail.
        try? chip.setInput(.depthHome, active: active)
    }

    /// Edges from a second writing thread may arrive a hair out of order; never trap on that.
    private static func elapsed(from a: UInt64, to b: UInt64) -> UInt64 { b >= a ? b - a : 0 }

    private var timeoutNanoseconds: UInt64 { UInt64(parameters.chargePumpTimeoutMilliseconds) * 1_000_000 }

    /// Drops the drivers if the pump has been silent for the timeout by `t`, as the monostable
    /// would have at `lastPumpEdge + timeout`; a pulse in the coil then ends at that instant.
    private func judgeWatchdog(_ s: inout State, at t: UInt64) {
        guard s.pumpAlive, Self.elapsed(from: s.lastPumpEdge, to: t) >= timeoutNanoseconds else { return }
        let dropped = s.lastPumpEdge + timeoutNanoseconds
        s.pumpAlive = false
        s.pumpRun = 0
        s.counters.watchdogTrips += 1
        if let start = s.pulseStart {
            judgePulse(&s, width: Self.elapsed(from: start, to: dropped))
            s.pulseStart = nil
        }
    }

    private func judgePulse(_ s: inout State, width: UInt64) {
        let longest = Double(parameters.strokePulseWidthMicroseconds) * 1_000 * (1 + tolerances.strokePulseWidthTolerance)
        if width < tolerances.minimumStrokePulseNanoseconds { s.counters.shortStrokePulses += 1 }
        else if Double(width) > longest { s.counters.longStrokePulses += 1 }
    }

    private func edge(_ role: GPIOLineRole, active: Bool, at t: UInt64) {
        let home: Bool? = state.withLock { s in
            judgeWatchdog(&s, at: t)
            switch role {
            case .chargePump:
                s.counters.chargePumpEdges += 1
                if !s.pumpAlive {
                    // A run counts edges each within the timeout of the one before.
                    s.pumpRun = s.pumpRun > 0 && Self.elapsed(from: s.lastPumpEdge, to: t) < timeoutNanoseconds ? s.pumpRun + 1 : 1
                    if s.pumpRun >= tolerances.chargePumpEdgesToEnable { s.pumpAlive = true }
                }
                s.lastPumpEdge = t
            case .motorEnable:
                s.motorEnable = active
            case .depthEnable:
                s.depthEnable = active
            case .depthDirection:
                s.deeper = active
            case .strokePulse:
                if active {
                    if s.motorEnable && s.pumpAlive {
                        s.counters.strokes += 1
                        s.strokeTimes[s.strokeNext] = t
                        s.strokeNext = (s.strokeNext + 1) % Self.strokeHistory
                        s.pulseStart = t
                    } else {
                        s.counters.blockedStrokes += 1
                    }
                } else if let start = s.pulseStart {
                    judgePulse(&s, width: Self.elapsed(from: start, to: t))
                    s.pulseStart = nil
                }
            case .depthStep:
                guard active else { return nil }
                guard s.depthEnable && s.pumpAlive else {
                    s.counters.stepsLostWhileDisabled += 1
                    return nil
                }
                let shortest = (1 - tolerances.stepIntervalTolerance) * Double(Self.second) / Double(parameters.maxStepRateHertz)
                if let last = s.lastStep, Double(Self.elapsed(from: last, to: t)) < shortest {
                    s.counters.stepsLostTooFast += 1
                    return nil
                }
                s.lastStep = t
                s.counters.steps += 1
                s.position += s.deeper ? 1 : -1
                let now = Self.homeSwitch(at: s.position, parameters, tolerances)
                guard now != s.homeActive else { return nil }
                s.homeActive = now
                return now
            case .pedal, .estop, .cartridgePresent, .statusLED, .jigEnableSense, .depthHome:
                break
            }
            return nil
        }
        if let home { setHomeInput(home) }
    }

    /// The machine as of the clock's now (the watchdog judged up to that instant).
    public var status: SimulatedDirectDriveStatus {
        let t = clock.now().nanoseconds
        return state.withLock { s in
            judgeWatchdog(&s, at: t)
            var recent = 0
            var i = s.strokeNext
            for _ in 0..<min(s.counters.strokes, Self.strokeHistory) {
                i = (i + Self.strokeHistory - 1) % Self.strokeHistory
                // The window is (t - 1 s, t]: a stroke exactly one second old has left it.
                guard s.strokeTimes[i] + Self.second > t else { break }
                recent += 1
            }
            return SimulatedDirectDriveStatus(
                strokes: s.counters.strokes, strokeRateHertz: Double(recent), positionSteps: s.position,
                positionMillimetres: Double(s.position) / parameters.stepsPerMillimetre,
                lostSteps: s.counters.lostSteps, watchdogTripped: !s.pumpAlive, homeSwitchActive: s.homeActive,
                counters: s.counters)
        }
    }
}
