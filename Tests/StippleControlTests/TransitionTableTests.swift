import Testing
import StippleModel
import StippleWire
@testable import StippleControl

/// Every operator request in every state: allowed ones move to the expected state, all others are
/// refused with a record and change nothing.
@Suite("Allowed-transition table")
struct TransitionTableTests {
    static let ms: UInt64 = 1_000_000

    /// A state reached the way the machine really gets there, with the inputs that hold in it.
    static func reach(_ target: MachineState) throws -> (ControlState, ControlInputs) {
        var s = ControlState()
        var i = ControlInputs()
        i.request = .load(try ControlCoreTests.settings())
        _ = ControlCore.step(&s, i, now: 0)
        i.request = nil
        if target == .idle { return (s, i) }
        if target == .eStopped {
            i.estopActive = true
            i.estopEdge = true
            _ = ControlCore.step(&s, i, now: ms)
            i.estopActive = false
            i.estopEdge = false
            return (s, i)
        }
        i.request = .arm(cartridgeCleared: true)
        _ = ControlCore.step(&s, i, now: ms)
        i.request = nil
        if target == .armed { return (s, i) }
        i.pedalDown = true
        _ = ControlCore.step(&s, i, now: 2 * ms)
        if target == .running { return (s, i) }
        if target == .paused {
            i.request = .pause
            _ = ControlCore.step(&s, i, now: 3 * ms)
            i.request = nil
            return (s, i)
        }
        // fault: the cartridge comes out, then is put back (cause gone, fault still latched).
        i.cartridgePresent = false
        _ = ControlCore.step(&s, i, now: 3 * ms)
        i.cartridgePresent = true
        i.pedalDown = false
        return (s, i)
    }

    static let requests: [(String, OperatorRequest)] = [
        ("load", .load(try! ControlCoreTests.settings())), ("arm", .arm(cartridgeCleared: true)), ("disarm", .disarm),
        ("pause", .pause), ("resume", .resume), ("reset", .reset),
    ]

    /// Expected state after each request, nil where it must be refused.
    static let table: [MachineState: [String: MachineState]] = [
        .idle: ["load": .idle, "arm": .armed],
        .armed: ["load": .armed, "disarm": .idle],
        .running: ["pause": .paused],
        .paused: ["disarm": .idle, "resume": .running],
        .fault: ["load": .fault, "reset": .idle],
        .eStopped: ["load": .eStopped, "reset": .idle],
    ]

    @Test(arguments: MachineState.allCases)
    func everyRequestInEveryState(_ state: MachineState) throws {
        for (name, request) in Self.requests {
            var (s, i) = try Self.reach(state)
            #expect(s.machine == state)
            i.request = request
            let out = ControlCore.step(&s, i, now: 10 * Self.ms)
            let refused = out.records.contains { $0.kind == .requestRefused }
            if let expected = Self.table[state]?[name] {
                #expect(!refused && s.machine == expected, "\(name) in \(state): now \(s.machine)")
            } else {
                #expect(refused, "\(name) in \(state) must be refused")
                #expect(s.machine == state, "\(name) in \(state) changed the state to \(s.machine)")
            }
        }
    }

    @Test func randomInputsNeverMakeATransitionOutsideTheTable() throws {
        var rng = UInt64(0xC0FFEE)
        func roll(_ n: UInt64) -> UInt64 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return (rng >> 33) % n
        }
        var s = ControlState()
        var i = ControlInputs()
        let settings = try ControlCoreTests.settings()
        var transitions = 0
        for t in 0..<200_000 as Range<UInt64> {
            i.pedalDown = roll(10) < 5 ? i.pedalDown : roll(2) == 0
            i.estopEdge = roll(500) == 0
            i.estopActive = i.estopEdge || (i.estopActive && roll(50) != 0)
            i.cartridgePresent = roll(1000) != 0
            i.linkUp = roll(2000) != 0
            i.request = [nil, nil, nil, .load(settings), .arm(cartridgeCleared: roll(10) != 0), .disarm, .pause, .resume, .reset][Int(roll(9))]
            i.telemetry = roll(2) == 0 ? Telemetry(deviceTicks: t, rateMillihertz: UInt32(roll(160_000)),
                                                   depthMicrometres: Int32(roll(2500)), motorCurrentMilliamperes: UInt16(roll(1000)),
                                                   strokeCount: UInt32(t), stateFlags: 0) : nil
            i.deviceFault = roll(3000) == 0 ? (UInt16(roll(10)), 0) : nil
            let before = s.machine
            let out = ControlCore.step(&s, i, now: t * Self.ms)
            for r in out.records where r.kind == .stateChanged {
                #expect(r.from.canTransition(to: r.to), "\(r.from) -> \(r.to)")
                transitions += 1
            }
            for r in out.records where r.kind == .requestRefused && r.from != r.to {
                Issue.record("internal transition \(r.from) -> \(r.to) refused, inputs \(i)")
            }
            if !out.motorEnable && s.machine == .running && !i.estopActive { Issue.record("running with the drive disabled") }
            if i.estopActive { #expect(!out.motorEnable, "e-stop active but the enable line is on") }
            _ = before
        }
        #expect(transitions > 1000, "the walk visited many transitions (\(transitions))")
    }
}
