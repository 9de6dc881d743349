#if DEBUG
#if canImport(Glibc)
import Glibc
#endif
import CGPIOD

/// Debug-build mocking of libgpiod, after swift-system's `Internals/Mocking.swift`: while a test
/// runs inside `withMocking`, every `LibGPIOD` shim on that task lands here instead of in C. The
/// driver records each call with its arguments (`trace`), can fail the next calls of a function
/// with an errno (`fail`), and keeps a small fake kernel (chips, lines, requests, queued edge
/// events, event descriptors) so the backend above it runs its real code paths: a request of a
/// line another consumer holds fails with EBUSY, a value read returns what was written, and
/// poll(2) reports an event descriptor readable while edges are queued for its line.
///
/// Mocking is scoped to a task (a task-local, like swift-system's thread-local), so tests that
/// mock run in parallel with tests that use the real library. Compiled out of release builds.
final class GpiodMockingDriver: @unchecked Sendable {
    /// One recorded call: the C function's name and its arguments as text. Chips print as their
    /// name (`gpiochip0`), lines as `chip:offset`, strings quoted, request types and flags by
    /// their libgpiod constant names, so expectations read like the C code they stand for.
    struct Call: Hashable, CustomStringConvertible {
        var name: String
        var arguments: [String]
        var description: String { "\(name)(\(arguments.joined(separator: ", ")))" }
    }

    /// A line of the fake kernel, with the information libgpiod reports for it.
    struct FakeLine: Hashable {
        var name: String?
        var consumer: String?
        var isOutput = false
        var activeLow = false
        /// Held by someone (another program, a kernel driver, or this process).
        var used = false
        /// The logical level a read returns.
        var value: Int32 = 0

        init(name: String? = nil, consumer: String? = nil, isOutput: Bool = false, activeLow: Bool = false,
             used: Bool = false, value: Int32 = 0) {
            self.name = name
            self.consumer = consumer
            self.isOutput = isOutput
            self.activeLow = activeLow
            self.used = used
            self.value = value
        }
    }

    /// A GPIO chip of the fake kernel, at /dev/NAME.
    struct FakeChip: Hashable {
        var name: String
        var label: String
        var lines: [FakeLine]
        /// The errno opening it fails with (EACCES for a chip without the udev rule), if any.
        var openErrno: Int32?

        init(name: String, label: String, lineCount: Int, openErrno: Int32? = nil) {
            self.name = name
            self.label = label
            self.lines = Array(repeating: FakeLine(), count: lineCount)
            self.openErrno = openErrno
        }
    }

    private struct LineKey: Hashable {
        var chip: Int
        var offset: Int
    }

    private struct Request {
        var type: Int32
        var flags: Int32
        var eventFD: Int32?
    }

    @TaskLocal static var current: GpiodMockingDriver?

    /// Every call made, oldest first.
    private(set) var trace: [Call] = []
    /// The fake kernel's chips, by index; /dev lists them in this order.
    var chips: [FakeChip]
    private var failures: [String: (errno: Int32, remaining: Int)] = [:]
    private var requests: [LineKey: Request] = [:]
    private var events: [LineKey: [gpiod_line_event]] = [:]
    private var eventLines: [Int32: LineKey] = [:]
    private var openChips: Set<Int> = []
    private var nextFD: Int32 = 40

    init(chips: [FakeChip] = []) {
        self.chips = chips
    }

    /// Runs `body` with every libgpiod shim on this task routed to this driver.
    func withMocking<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = Self.$current.withValue(self) { Result { () throws(E) -> T in try body() } }
        return try result.get()
    }

    // MARK: Test controls

    /// The trace as text, one `name(arguments)` per call.
    var calls: [String] { trace.map(\.description) }

    /// Forgets the calls recorded so far.
    func clearTrace() { trace.removeAll() }

    /// Makes the next `times` calls of `function` (a C name, `gpiod_line_request`) fail with
    /// `errno`, as libgpiod fails them: nil or -1 with errno set. The call is still recorded.
    func fail(_ function: String, errno code: Int32, times: Int = 1) {
        failures[function] = (code, times)
    }

    /// A line of chip `chip` (by index), to set up names, consumers and levels.
    func line(chip: Int = 0, _ offset: Int) -> FakeLine {
        chips[chip].lines[offset]
    }

    func setLine(chip: Int = 0, _ offset: Int, _ line: FakeLine) {
        chips[chip].lines[offset] = line
    }

    /// Queues an edge event on a line, as the kernel would after an interrupt, stamped `nanoseconds`
    /// on CLOCK_MONOTONIC; `rising` in logical terms (active-low applied), as libgpiod v1 reports it.
    func queueEdge(chip: Int = 0, offset: Int, rising: Bool, atNanoseconds nanoseconds: UInt64) {
        let event = gpiod_line_event(
            ts: timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000)),
            event_type: rising ? LibGPIOD.eventRisingEdge : LibGPIOD.eventFallingEdge)
        events[LineKey(chip: chip, offset: offset), default: []].append(event)
        chips[chip].lines[offset].value = rising ? 1 : 0
    }

    /// Whether a line is requested by this process, with the request's type and flags.
    func request(chip: Int = 0, _ offset: Int) -> (type: Int32, flags: Int32)? {
        requests[LineKey(chip: chip, offset: offset)].map { ($0.type, $0.flags) }
    }

    /// Chips opened and not yet closed.
    var openChipCount: Int { openChips.count }

    /// Events queued and not yet read.
    var queuedEventCount: Int { events.values.reduce(0) { $0 + $1.count } }

    // MARK: Bookkeeping

    /// Records the call; if a failure is armed for it, sets errno and returns the errno.
    private func record(_ name: String, _ arguments: String...) -> Int32? {
        trace.append(Call(name: name, arguments: arguments))
        guard let armed = failures[name] else { return nil }
        failures[name] = armed.remaining > 1 ? (armed.errno, armed.remaining - 1) : nil
        errno = armed.errno
        return armed.errno
    }

    private func failing(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }

    private static let chipStride = 1 << 20

    private func chipPointer(_ index: Int) -> LibGPIOD.Chip {
        OpaquePointer(bitPattern: (index + 1) * Self.chipStride)!
    }

    private func chipIndex(_ chip: LibGPIOD.Chip) -> Int {
        Int(bitPattern: UnsafeRawPointer(chip)) / Self.chipStride - 1
    }

    private func linePointer(_ key: LineKey) -> LibGPIOD.Line {
        OpaquePointer(bitPattern: (key.chip + 1) * Self.chipStride + (key.offset + 1) * 16)!
    }

    private func lineKey(_ line: LibGPIOD.Line) -> LineKey {
        let bits = Int(bitPattern: UnsafeRawPointer(line))
        return LineKey(chip: bits / Self.chipStride - 1, offset: (bits % Self.chipStride) / 16 - 1)
    }

    private func showChip(_ chip: LibGPIOD.Chip) -> String { chips[chipIndex(chip)].name }

    private func showLine(_ line: LibGPIOD.Line) -> String {
        let key = lineKey(line)
        return "\(chips[key.chip].name):\(key.offset)"
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }

    static func requestTypeName(_ type: Int32) -> String {
        switch type {
        case Int32(GPIOD_LINE_REQUEST_DIRECTION_AS_IS): "DIRECTION_AS_IS"
        case LibGPIOD.requestDirectionInput: "DIRECTION_INPUT"
        case LibGPIOD.requestDirectionOutput: "DIRECTION_OUTPUT"
        case Int32(GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE): "EVENT_FALLING_EDGE"
        case Int32(GPIOD_LINE_REQUEST_EVENT_RISING_EDGE): "EVENT_RISING_EDGE"
        case LibGPIOD.requestEventBothEdges: "EVENT_BOTH_EDGES"
        default: "\(type)"
        }
    }

    static func flagNames(_ flags: Int32) -> String {
        let known: [(Int32, String)] = [
            (LibGPIOD.flagOpenDrain, "OPEN_DRAIN"), (LibGPIOD.flagOpenSource, "OPEN_SOURCE"),
            (LibGPIOD.flagActiveLow, "ACTIVE_LOW"), (LibGPIOD.flagBiasDisable, "BIAS_DISABLE"),
            (LibGPIOD.flagBiasPullDown, "BIAS_PULL_DOWN"), (LibGPIOD.flagBiasPullUp, "BIAS_PULL_UP"),
        ]
        var names = known.filter { flags & $0.0 != 0 }.map(\.1)
        let rest = flags & ~known.reduce(0) { $0 | $1.0 }
        if rest != 0 { names.append("\(rest)") }
        return names.isEmpty ? "0" : names.joined(separator: "|")
    }

    // MARK: The fake libgpiod

    private func open(_ index: Int?) -> LibGPIOD.Chip? {
        guard let index else {
            errno = ENOENT
            return nil
        }
        if let code = chips[index].openErrno {
            errno = code
            return nil
        }
        openChips.insert(index)
        return chipPointer(index)
    }

    func chipOpen(path: String) -> LibGPIOD.Chip? {
        if record("gpiod_chip_open", quoted(path)) != nil { return nil }
        return open(chips.firstIndex { "/dev/\($0.name)" == path })
    }

    func chipOpenByName(_ name: String) -> LibGPIOD.Chip? {
        if record("gpiod_chip_open_by_name", quoted(name)) != nil { return nil }
        return open(chips.firstIndex { $0.name == name })
    }

    func chipOpenLookup(_ description: String) -> LibGPIOD.Chip? {
        if record("gpiod_chip_open_lookup", quoted(description)) != nil { return nil }
        return open(chips.firstIndex {
            $0.name == description || $0.label == description || "/dev/\($0.name)" == description
                || "gpiochip\(description)" == $0.name
        })
    }

    func chipClose(_ chip: LibGPIOD.Chip) {
        _ = record("gpiod_chip_close", showChip(chip))
        let index = chipIndex(chip)
        openChips.remove(index)
        for key in requests.keys where key.chip == index { release(key) }
    }

    func chipName(_ chip: LibGPIOD.Chip) -> String {
        _ = record("gpiod_chip_name", showChip(chip))
        return chips[chipIndex(chip)].name
    }

    func chipLabel(_ chip: LibGPIOD.Chip) -> String {
        _ = record("gpiod_chip_label", showChip(chip))
        return chips[chipIndex(chip)].label
    }

    func chipNumLines(_ chip: LibGPIOD.Chip) -> Int {
        _ = record("gpiod_chip_num_lines", showChip(chip))
        return chips[chipIndex(chip)].lines.count
    }

    func chipGetLine(_ chip: LibGPIOD.Chip, _ offset: UInt32) -> LibGPIOD.Line? {
        if record("gpiod_chip_get_line", showChip(chip), "\(offset)") != nil { return nil }
        let index = chipIndex(chip)
        guard Int(offset) < chips[index].lines.count else {
            errno = EINVAL
            return nil
        }
        return linePointer(LineKey(chip: index, offset: Int(offset)))
    }

    func chipFindLine(_ chip: LibGPIOD.Chip, _ name: String) -> LibGPIOD.Line? {
        if record("gpiod_chip_find_line", showChip(chip), quoted(name)) != nil { return nil }
        let index = chipIndex(chip)
        guard let offset = chips[index].lines.firstIndex(where: { $0.name == name }) else {
            errno = ENOENT
            return nil
        }
        return linePointer(LineKey(chip: index, offset: offset))
    }

    private func fake(_ line: LibGPIOD.Line) -> FakeLine {
        let key = lineKey(line)
        return chips[key.chip].lines[key.offset]
    }

    func lineOffset(_ line: LibGPIOD.Line) -> UInt32 {
        _ = record("gpiod_line_offset", showLine(line))
        return UInt32(lineKey(line).offset)
    }

    func lineName(_ line: LibGPIOD.Line) -> String? {
        _ = record("gpiod_line_name", showLine(line))
        return fake(line).name
    }

    func lineConsumer(_ line: LibGPIOD.Line) -> String? {
        _ = record("gpiod_line_consumer", showLine(line))
        return fake(line).consumer
    }

    func lineDirection(_ line: LibGPIOD.Line) -> Int32 {
        _ = record("gpiod_line_direction", showLine(line))
        return fake(line).isOutput ? LibGPIOD.directionOutput : LibGPIOD.directionInput
    }

    func lineActiveState(_ line: LibGPIOD.Line) -> Int32 {
        _ = record("gpiod_line_active_state", showLine(line))
        return fake(line).activeLow ? LibGPIOD.activeStateLow : Int32(GPIOD_LINE_ACTIVE_STATE_HIGH)
    }

    func lineIsUsed(_ line: LibGPIOD.Line) -> Bool {
        _ = record("gpiod_line_is_used", showLine(line))
        return fake(line).used
    }

    func lineRequest(
        _ line: LibGPIOD.Line, consumer: String, requestType: Int32, flags: Int32, defaultValue: Int32
    ) -> Int32 {
        if record("gpiod_line_request", showLine(line), quoted(consumer), Self.requestTypeName(requestType),
                  Self.flagNames(flags), "\(defaultValue)") != nil { return -1 }
        let key = lineKey(line)
        var l = chips[key.chip].lines[key.offset]
        guard !l.used else { return failing(EBUSY) }
        let isOutput = requestType == LibGPIOD.requestDirectionOutput
        var request = Request(type: requestType, flags: flags, eventFD: nil)
        if requestType == LibGPIOD.requestEventBothEdges
            || requestType == Int32(GPIOD_LINE_REQUEST_EVENT_RISING_EDGE)
            || requestType == Int32(GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE) {
            let fd = nextFD
            nextFD += 1
            request.eventFD = fd
            eventLines[fd] = key
        }
        requests[key] = request
        l.used = true
        l.consumer = consumer
        l.isOutput = isOutput
        l.activeLow = flags & LibGPIOD.flagActiveLow != 0
        if isOutput { l.value = defaultValue == 0 ? 0 : 1 }
        chips[key.chip].lines[key.offset] = l
        return 0
    }

    private func release(_ key: LineKey) {
        guard let request = requests.removeValue(forKey: key) else { return }
        if let fd = request.eventFD { eventLines[fd] = nil }
        chips[key.chip].lines[key.offset].used = false
        chips[key.chip].lines[key.offset].consumer = nil
    }

    func lineRelease(_ line: LibGPIOD.Line) {
        _ = record("gpiod_line_release", showLine(line))
        release(lineKey(line))
    }

    func lineGetValue(_ line: LibGPIOD.Line) -> Int32 {
        if record("gpiod_line_get_value", showLine(line)) != nil { return -1 }
        guard requests[lineKey(line)] != nil else { return failing(EPERM) }
        return fake(line).value
    }

    func lineSetValue(_ line: LibGPIOD.Line, _ value: Int32) -> Int32 {
        if record("gpiod_line_set_value", showLine(line), "\(value)") != nil { return -1 }
        let key = lineKey(line)
        guard let request = requests[key], request.type == LibGPIOD.requestDirectionOutput else { return failing(EPERM) }
        chips[key.chip].lines[key.offset].value = value == 0 ? 0 : 1
        return 0
    }

    func lineEventGetFD(_ line: LibGPIOD.Line) -> Int32 {
        if record("gpiod_line_event_get_fd", showLine(line)) != nil { return -1 }
        guard let fd = requests[lineKey(line)]?.eventFD else { return failing(EPERM) }
        return fd
    }

    func lineEventReadMultiple(
        _ line: LibGPIOD.Line, _ buffer: UnsafeMutablePointer<gpiod_line_event>, _ capacity: UInt32
    ) -> Int32 {
        if record("gpiod_line_event_read_multiple", showLine(line), "\(capacity)") != nil { return -1 }
        let key = lineKey(line)
        guard requests[key]?.eventFD != nil else { return failing(EPERM) }
        // The real call would block; a test that reads an empty queue has a bug to show.
        guard let queued = events[key], !queued.isEmpty else { return failing(EAGAIN) }
        let n = min(Int(capacity), queued.count)
        for i in 0..<n { buffer[i] = queued[i] }
        events[key] = Array(queued.dropFirst(n))
        return Int32(n)
    }

    func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: Int, _ timeoutMilliseconds: Int32) -> Int32 {
        let list = (0..<count).map { "\(fds[$0].fd)" }.joined(separator: ", ")
        if record("poll", "[\(list)]", "\(timeoutMilliseconds)") != nil { return -1 }
        var ready: Int32 = 0
        for i in 0..<count {
            fds[i].revents = 0
            guard let key = eventLines[fds[i].fd] else {
                fds[i].revents = Int16(POLLNVAL)
                ready += 1
                continue
            }
            if let queued = events[key], !queued.isEmpty, fds[i].events & Int16(POLLIN) != 0 {
                fds[i].revents = Int16(POLLIN)
                ready += 1
            }
        }
        return ready
    }

    func chipDeviceNames(in directory: String) -> (names: [String], result: Int32) {
        if record("scandir", quoted(directory), "gpiochip*") != nil { return ([], -1) }
        return (directory == "/dev" ? chips.map(\.name) : [], 0)
    }
}
#endif
