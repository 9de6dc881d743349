#if canImport(Glibc)
import Glibc
#endif
import CGPIOD
import StippleHardware
import StippleModel

/// The machine's GPIO lines on a real chip, through libgpiod v1 (the `GPIOLines` seam that
/// `SimulatedGPIOChip` implements in memory).
///
/// Opening requests every role's line as consumer "stipple": outputs first, each at its safe
/// default (inactive: motor driver disabled, LED off), then inputs for both-edge events. Active-low
/// lines carry libgpiod's active-low flag, so the kernel applies it and every level here (reads,
/// writes, edges) is logical, as the seam promises. Edges carry the kernel's timestamp, taken
/// in the interrupt handler on CLOCK_MONOTONIC (GPIO uAPI v1 on Linux 5.7 and later), so they
/// compare with `SystemMonotonicClock` and with the real-time loop's deadlines.
///
/// On release (deinit) the outputs are driven inactive before the chip is closed: the kernel
/// leaves a released output at its last level, and a motor driver left enabled by a crashed
/// session is exactly what the safe default is for.
///
/// Threads: `read` and `write` may be called from any thread (each is one ioctl on the line's
/// own descriptor); `waitForEdges` from one thread (the e-stop watcher's) and `drainEdges` from
/// one thread, each with its own poll set, as `EdgeWatcher` uses them. Nothing allocates after
/// opening except an `edges` array that lacks capacity, and errors.
public final class LinuxGPIOLines: GPIOLines, @unchecked Sendable {
    /// The consumer label the kernel shows for Stipple's lines (`gpioinfo`, `stipple devices`).
    public static let defaultConsumer = "stipple"
    /// Events read per line per call: the kernel's v1 event queue holds 16 per line.
    static let eventBatch = 16

    private struct Slot {
        var role: GPIOLineRole
        var line: LibGPIOD.Line
        var offset: Int
        var eventFD: Int32
    }

    /// The chip as the machine file names it.
    public let chipDescription: String
    /// The chip's kernel name (`gpiochip0`), whatever it was opened by.
    public let chipName: String
    private let chip: LibGPIOD.Chip
    /// Indexed by `GPIOLineRole.ordinal`; nil for a role the map leaves out.
    private let slots: [Slot?]
    /// The inputs' slots in poll-set order.
    private let inputs: [Slot]
    private let drainPollSet: UnsafeMutablePointer<pollfd>
    private let waitPollSet: UnsafeMutablePointer<pollfd>
    private let eventBuffer: UnsafeMutablePointer<gpiod_line_event>
    #if DEBUG
    /// Lines opened under a mocking driver are closed through it, whichever task releases them.
    private let mockingDriver: GpiodMockingDriver?
    #endif

    /// Opens a machine's chip and requests its five lines by their offsets.
    public convenience init(machine: MachineSpec, consumer: String = LinuxGPIOLines.defaultConsumer) throws(GPIOError) {
        try self.init(map: machine.gpio, consumer: consumer)
    }

    /// Opens a pin map's chip and requests its lines by their offsets.
    public convenience init(map: GPIOLineMap, consumer: String = LinuxGPIOLines.defaultConsumer) throws(GPIOError) {
        try self.init(chip: map.chip, lines: map.lines.mapValues(GPIOLineRequest.init), consumer: consumer)
    }

    /// Opens `chip` and requests each role's line.
    /// - Parameters:
    ///   - chip: a kernel name (`gpiochip0`), a device path (`/dev/gpiochip0`), or a label or
    ///     number, found with `gpiod_chip_open_lookup` (`pinctrl-bcm2711`, `0`).
    ///   - lines: the line for each role; roles left out read and write as absent.
    ///   - consumer: the label the kernel shows as the lines' user.
    /// - Throws: `GPIOError` naming the role (nil while opening the chip), the errno and what to do.
    ///   Nothing stays requested after a failure.
    public init(
        chip description: String, lines: [GPIOLineRole: GPIOLineRequest],
        consumer: String = LinuxGPIOLines.defaultConsumer
    ) throws(GPIOError) {
        let opened = try Self.open(description)
        var slots = [Slot?](repeating: nil, count: GPIOLineRole.allCases.count)
        // Outputs first: the motor driver's enable is held at inactive before anything else.
        let order = GPIOLineRole.allCases.filter { !$0.isInput } + GPIOLineRole.allCases.filter(\.isInput)
        for role in order {
            guard let request = lines[role] else { continue }
            do {
                slots[role.ordinal] = try Self.request(role, request, on: opened.chip, device: opened.device,
                                                       chipName: opened.name, consumer: consumer)
            } catch {
                // Releases what was requested so far; outputs stay at their safe default.
                LibGPIOD.chipClose(opened.chip)
                throw error
            }
        }
        let inputs = order.compactMap { $0.isInput ? slots[$0.ordinal] : nil }

        self.chipDescription = description
        self.chipName = opened.name
        self.chip = opened.chip
        self.slots = slots
        self.inputs = inputs
        drainPollSet = .allocate(capacity: max(inputs.count, 1))
        waitPollSet = .allocate(capacity: max(inputs.count, 1))
        for (i, input) in inputs.enumerated() {
            drainPollSet[i] = pollfd(fd: input.eventFD, events: Int16(POLLIN), revents: 0)
            waitPollSet[i] = pollfd(fd: input.eventFD, events: Int16(POLLIN), revents: 0)
        }
        eventBuffer = .allocate(capacity: Self.eventBatch)
        #if DEBUG
        mockingDriver = GpiodMockingDriver.current
        #endif
    }

    deinit {
        #if DEBUG
        if let driver = mockingDriver, GpiodMockingDriver.current !== driver {
            driver.withMocking { release() }
            return
        }
        #endif
        release()
    }

    private func release() {
        for role in GPIOLineRole.allCases where !role.isInput {
            if let slot = slots[role.ordinal] { _ = LibGPIOD.lineSetValue(slot.line, 0) }
        }
        LibGPIOD.chipClose(chip)
        drainPollSet.deallocate()
        waitPollSet.deallocate()
        eventBuffer.deallocate()
    }

    // MARK: Opening

    private static func open(_ description: String) throws(GPIOError) -> (chip: LibGPIOD.Chip, name: String, device: String) {
        let chip: LibGPIOD.Chip?
        let device: String
        if description.hasPrefix("/") {
            device = description
            chip = LibGPIOD.chipOpen(description)
        } else if isKernelChipName(description) {
            device = "/dev/" + description
            chip = LibGPIOD.chipOpenByName(description)
        } else {
            device = "/dev/gpiochip*"
            chip = LibGPIOD.chipOpenLookup(description)
        }
        guard let chip else {
            let code = errno
            throw GPIOError(operation: "open chip \(description)", errno: code,
                            advice: GPIOAdvice.openChip(errno: code, chip: description, device: device))
        }
        let name = isKernelChipName(description) ? description : LibGPIOD.chipName(chip)
        return (chip, name, "/dev/" + name)
    }

    /// `gpiochipN`, the name the kernel gives a chip's device.
    static func isKernelChipName(_ s: String) -> Bool {
        s.hasPrefix("gpiochip") && s.count > 8 && s.dropFirst(8).allSatisfy(\.isASCII) && Int(s.dropFirst(8)) != nil
    }

    private static func request(
        _ role: GPIOLineRole, _ request: GPIOLineRequest, on chip: LibGPIOD.Chip, device: String,
        chipName: String, consumer: String
    ) throws(GPIOError) -> Slot {
        let line: LibGPIOD.Line
        switch request.selector {
        case .offset(let offset):
            guard offset >= 0, offset <= Int(UInt32.max) else {
                throw GPIOError(operation: "get line \(offset) of \(chipName)", role: role, errno: EINVAL,
                                advice: GPIOAdvice.getLine(errno: EINVAL, offset: offset, chip: chipName, lineCount: nil))
            }
            guard let l = LibGPIOD.chipGetLine(chip, UInt32(offset)) else {
                let code = errno
                let count = code == EINVAL ? LibGPIOD.chipNumLines(chip) : nil
                throw GPIOError(operation: "get line \(offset) of \(chipName)", role: role, errno: code,
                                advice: GPIOAdvice.getLine(errno: code, offset: offset, chip: chipName, lineCount: count))
            }
            line = l
        case .name(let name):
            guard let l = LibGPIOD.chipFindLine(chip, name) else {
                let code = errno
                throw GPIOError(operation: "find line \"\(name)\" on \(chipName)", role: role, errno: code,
                                advice: GPIOAdvice.findLine(errno: code, name: name, chip: chipName))
            }
            line = l
        }
        let offset: Int
        switch request.selector {
        case .offset(let o): offset = o
        case .name: offset = Int(LibGPIOD.lineOffset(line))
        }
        let flags = request.activeLow ? LibGPIOD.flagActiveLow : 0
        let type = role.isInput ? LibGPIOD.requestEventBothEdges : LibGPIOD.requestDirectionOutput
        // Outputs start inactive (logical 0; the active-low flag makes that the high level).
        guard LibGPIOD.lineRequest(line, consumer: consumer, requestType: type, flags: flags, defaultValue: 0) == 0 else {
            let code = errno
            let holder = code == EBUSY ? LibGPIOD.lineConsumer(line) : nil
            throw GPIOError(operation: "request line \(offset) of \(chipName)", role: role, errno: code,
                            advice: GPIOAdvice.requestLine(errno: code, offset: offset, consumer: holder, device: device))
        }
        var fd: Int32 = -1
        if role.isInput {
            fd = LibGPIOD.lineEventGetFD(line)
            guard fd >= 0 else {
                let code = errno
                throw GPIOError(operation: "get the event descriptor of line \(offset)", role: role, errno: code,
                                advice: GPIOAdvice.lineIO(errno: code))
            }
        }
        return Slot(role: role, line: line, offset: offset, eventFD: fd)
    }

    // MARK: The seam

    /// The line's offset on the chip, for messages (`stipple devices` shows the same numbers).
    public func offset(of role: GPIOLineRole) -> Int? { slots[role.ordinal]?.offset }

    public func read(_ role: GPIOLineRole) throws(GPIOError) -> Bool {
        guard let slot = slots[role.ordinal] else {
            throw GPIOError(operation: "read", role: role, advice: "the machine's pin map has no \(role) line on \(chipName)")
        }
        let value = LibGPIOD.lineGetValue(slot.line)
        guard value >= 0 else {
            let code = errno
            throw GPIOError(operation: "read line \(slot.offset) of \(chipName)", role: role, errno: code,
                            advice: GPIOAdvice.lineIO(errno: code))
        }
        return value != 0
    }

    /// Drives an output's logical level. Inputs are refused without a call, as the simulated chip
    /// refuses them.
    public func write(_ role: GPIOLineRole, active: Bool) throws(GPIOError) {
        guard !role.isInput else {
            throw GPIOError(operation: "write", role: role, advice: "\(role) is an input; only motor_enable and status_led are driven")
        }
        guard let slot = slots[role.ordinal] else {
            throw GPIOError(operation: "write", role: role, advice: "the machine's pin map has no \(role) line on \(chipName)")
        }
        guard LibGPIOD.lineSetValue(slot.line, active ? 1 : 0) == 0 else {
            let code = errno
            throw GPIOError(operation: "write line \(slot.offset) of \(chipName)", role: role, errno: code,
                            advice: GPIOAdvice.lineIO(errno: code))
        }
    }

    /// Reads every queued edge without blocking (poll with a zero timeout, then read only the
    /// readable descriptors) and appends them oldest first across lines, stamped by the kernel.
    /// Edges read before a failure are appended before it is thrown.
    public func drainEdges(into edges: inout [GPIOEdge]) throws(GPIOError) {
        let count = inputs.count
        guard count > 0 else { return }
        let start = edges.count
        var failure: GPIOError?
        // A line whose 16-event queue was full may have more by now: poll again, boundedly.
        var rounds = 0
        var again = true
        while again && failure == nil && rounds < 8 {
            again = false
            rounds += 1
            let ready = LibGPIOD.poll(drainPollSet, count, 0)
            if ready < 0 {
                let code = errno
                if code != EINTR {
                    failure = GPIOError(operation: "poll edge events", errno: code, advice: GPIOAdvice.lineIO(errno: code))
                }
                break
            }
            if ready == 0 { break }
            for i in 0..<count {
                let revents = drainPollSet[i].revents
                guard revents != 0 else { continue }
                let slot = inputs[i]
                let role = slot.role
                if revents & Int16(POLLIN) != 0 {
                    let n = LibGPIOD.lineEventReadMultiple(slot.line, eventBuffer, UInt32(Self.eventBatch))
                    if n < 0 {
                        let code = errno
                        if code != EAGAIN && code != EINTR && failure == nil {
                            failure = GPIOError(operation: "read edge events of line \(slot.offset)", role: role,
                                                errno: code, advice: GPIOAdvice.lineIO(errno: code))
                        }
                        continue
                    }
                    for k in 0..<Int(n) {
                        let event = eventBuffer[k]
                        guard event.event_type == LibGPIOD.eventRisingEdge || event.event_type == LibGPIOD.eventFallingEdge else { continue }
                        edges.append(GPIOEdge(role: role, active: event.event_type == LibGPIOD.eventRisingEdge,
                                              at: Self.instant(event.ts)))
                    }
                    if Int(n) == Self.eventBatch { again = true }
                } else if failure == nil {
                    failure = Self.pollFailure(revents, role: role, offset: slot.offset)
                }
            }
        }
        Self.sortByTime(&edges, from: start)
        if let failure { throw failure }
    }

    /// Blocks in poll(2) on every input's event descriptor until one is readable or the timeout
    /// (rounded up to whole milliseconds) passes. An interrupted wait returns false.
    public func waitForEdges(timeoutNanoseconds: UInt64) throws(GPIOError) -> Bool {
        let count = inputs.count
        for i in 0..<count { waitPollSet[i].revents = 0 }
        let ready = LibGPIOD.poll(waitPollSet, count, Self.pollTimeout(nanoseconds: timeoutNanoseconds))
        if ready < 0 {
            let code = errno
            if code == EINTR { return false }
            throw GPIOError(operation: "wait for edge events", errno: code, advice: GPIOAdvice.lineIO(errno: code))
        }
        guard ready > 0 else { return false }
        var readable = false
        for i in 0..<count {
            let revents = waitPollSet[i].revents
            if revents & Int16(POLLIN) != 0 {
                readable = true
            } else if revents != 0 {
                throw Self.pollFailure(revents, role: inputs[i].role, offset: inputs[i].offset)
            }
        }
        return readable
    }

    // MARK: Helpers

    /// A poll timeout in milliseconds: rounded up so a short wait still waits, capped at
    /// Int32.max (~24 days).
    static func pollTimeout(nanoseconds: UInt64) -> Int32 {
        let milliseconds = nanoseconds / 1_000_000 + (nanoseconds % 1_000_000 == 0 ? 0 : 1)
        return Int32(clamping: milliseconds)
    }

    /// The kernel's event timestamp as an instant on CLOCK_MONOTONIC.
    static func instant(_ ts: timespec) -> MonotonicInstant {
        guard ts.tv_sec >= 0, ts.tv_nsec >= 0 else { return MonotonicInstant(nanoseconds: 0) }
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec))
    }

    private static func pollFailure(_ revents: Int16, role: GPIOLineRole, offset: Int) -> GPIOError {
        let code = revents & Int16(POLLNVAL) != 0 ? EBADF : ENODEV
        return GPIOError(operation: "poll edge events of line \(offset)", role: role, errno: code,
                         advice: GPIOAdvice.lineIO(errno: code))
    }

    /// Stable insertion sort of `edges[start...]` by time, in place: each line's events are in
    /// order already, and a drain reads a handful, so this moves few elements and allocates nothing.
    static func sortByTime(_ edges: inout [GPIOEdge], from start: Int) {
        guard edges.count - start > 1 else { return }
        for i in (start + 1)..<edges.count {
            let edge = edges[i]
            var j = i
            while j > start && edges[j - 1].at > edge.at {
                edges[j] = edges[j - 1]
                j -= 1
            }
            edges[j] = edge
        }
    }
}
