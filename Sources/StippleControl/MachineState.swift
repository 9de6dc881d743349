/// The control core's explicit states. Settings (profile, cartridge, machine) change only outside
/// `running`; `eStopped` and `fault` are left only by an explicit reset.
public enum MachineState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case idle
    case armed
    case running
    case paused
    case fault
    case eStopped = "e-stopped"

    public var description: String { rawValue }

    /// Whether profile, cartridge or machine may be changed in this state.
    public var allowsSettingsChange: Bool { self != .running && self != .paused }

    /// The allowed-transition table: everything not listed is refused.
    public static let allowedTransitions: [MachineState: Set<MachineState>] = [
        .idle: [.armed, .fault, .eStopped],
        .armed: [.idle, .running, .fault, .eStopped],
        .running: [.paused, .armed, .fault, .eStopped],
        .paused: [.running, .armed, .fault, .eStopped],
        // Leaving a fault or an e-stop needs an explicit reset, which lands in idle.
        .fault: [.idle, .eStopped],
        .eStopped: [.idle],
    ]

    public func canTransition(to next: MachineState) -> Bool {
        MachineState.allowedTransitions[self]?.contains(next) ?? false
    }
}
