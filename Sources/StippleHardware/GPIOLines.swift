import StippleModel

/// An edge seen on an input line, stamped by whoever saw it first (the kernel, for libgpiod).
public struct GPIOEdge: Sendable, Hashable {
    public var role: GPIOLineRole
    /// The logical level after the edge (active-low already applied).
    public var active: Bool
    public var at: MonotonicInstant

    public init(role: GPIOLineRole, active: Bool, at: MonotonicInstant) {
        self.role = role
        self.active = active
        self.at = at
    }
}

/// A GPIO failure, carrying the errno when the kernel gave one.
public struct GPIOError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var role: GPIOLineRole?
    public var errno: Int32?
    /// Why it failed in the technician's terms and what to do about it, when the backend knows
    /// (`no permission on /dev/gpiochip0: add the user to group stipple ...`).
    public var advice: String?

    public init(operation: String, role: GPIOLineRole? = nil, errno: Int32? = nil, advice: String? = nil) {
        self.operation = operation
        self.role = role
        self.errno = errno
        self.advice = advice
    }

    public var description: String {
        var s = "GPIO \(operation) failed"
        if let role { s += " on line \(role)" }
        if let errno { s += " (errno \(errno))" }
        if let advice { s += ": \(advice)" }
        return s
    }
}

/// The seam for the machine's GPIO lines, by role, in logical levels (active-low applied).
/// Implemented by libgpiod in StippleLinux and by a simulated chip in StippleSimulator.
public protocol GPIOLines: AnyObject {
    func read(_ role: GPIOLineRole) throws(GPIOError) -> Bool
    func write(_ role: GPIOLineRole, active: Bool) throws(GPIOError)
    /// Edges that arrived since the last call, oldest first, appended to `edges`; never blocks.
    func drainEdges(into edges: inout [GPIOEdge]) throws(GPIOError)
    /// Blocks until an edge is waiting to be drained or the timeout passes; returns whether one is.
    /// For the e-stop watcher thread, which must not wait for the next control cycle.
    func waitForEdges(timeoutNanoseconds: UInt64) throws(GPIOError) -> Bool
}
