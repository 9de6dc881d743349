/// One GPIO chip as the kernel reports it.
public struct GPIOChipInfo: Sendable, Hashable {
    /// The kernel name, `gpiochip0`.
    public var name: String
    /// The driver's label, `pinctrl-bcm2711`, `gpio-sim.0-node0`.
    public var label: String
    /// The device path, `/dev/gpiochip0`.
    public var device: String
    public var lines: [GPIOLineInfo]

    public init(name: String, label: String, device: String, lines: [GPIOLineInfo]) {
        self.name = name
        self.label = label
        self.device = device
        self.lines = lines
    }

    public var lineCount: Int { lines.count }
}
