/// One line of a GPIO chip as the kernel reports it: what `gpioinfo` prints.
public struct GPIOLineInfo: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        case input, output
    }

    public var offset: Int
    /// The device tree's `gpio-line-names` entry, if any.
    public var name: String?
    /// Who holds the line (`stipple`, a kernel driver such as `gpio-keys`), if anyone gave a label.
    public var consumer: String?
    public var direction: Direction
    public var activeLow: Bool
    /// Requested by a program or claimed by a kernel driver: Stipple cannot have it.
    public var used: Bool

    public init(offset: Int, name: String?, consumer: String?, direction: Direction, activeLow: Bool, used: Bool) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.direction = direction
        self.activeLow = activeLow
        self.used = used
    }
}
