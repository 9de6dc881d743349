/// How Stipple drives a machine's needle and depth stage.
public enum MachineDrive: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A controller board on USB runs the firmware protocol and holds the refresh deadline.
    case usb
    /// No controller board: the drivers hang off the GPIO header and Stipple's real-time loop
    /// makes the stroke pulses, the depth stage's steps and the charge pump itself (issue 8).
    case gpio

    public var description: String { rawValue }
}
