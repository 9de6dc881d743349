#if canImport(Glibc)
import Glibc
#endif
import CGPIOD

/// Every libgpiod call Stipple makes, one shim per C function, plus the two system calls the
/// GPIO backend makes around them (poll(2) on the event descriptors, the /dev scan for chips).
///
/// The swift-system pattern (`Internals/Syscalls.swift`): nothing else in Stipple names a
/// `gpiod_` function, so a port to libgpiod 2.x (chip + line-request objects instead of line
/// handles) changes this file and the two types built on it, and in debug builds every call can
/// be routed to `GpiodMockingDriver`, which records the exact call and can fail it with an errno.
/// In release builds the mocking branch is compiled out and each shim is the bare C call.
///
/// Conventions, as in C: pointers come back nil and ints -1 on failure, with `errno` set.
enum LibGPIOD {
    /// `struct gpiod_chip *` (opaque).
    typealias Chip = OpaquePointer
    /// `struct gpiod_line *` (opaque; owned by its chip, freed by `gpiod_chip_close`).
    typealias Line = OpaquePointer

    // MARK: Chips

    /// `gpiod_chip_open`: a chip by device path (`/dev/gpiochip0`).
    static func chipOpen(_ path: String) -> Chip? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipOpen(path: path) }
        #endif
        return gpiod_chip_open(path)
    }

    /// `gpiod_chip_open_by_name`: a chip by kernel name (`gpiochip0`).
    static func chipOpenByName(_ name: String) -> Chip? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipOpenByName(name) }
        #endif
        return gpiod_chip_open_by_name(name)
    }

    /// `gpiod_chip_open_lookup`: a chip by number, label, name or path, in libgpiod's order.
    static func chipOpenLookup(_ description: String) -> Chip? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipOpenLookup(description) }
        #endif
        return gpiod_chip_open_lookup(description)
    }

    /// `gpiod_chip_close`: closes the chip and releases every line requested through it.
    static func chipClose(_ chip: Chip) {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipClose(chip) }
        #endif
        gpiod_chip_close(chip)
    }

    /// `gpiod_chip_name`: the kernel name, `gpiochip0`.
    static func chipName(_ chip: Chip) -> String {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipName(chip) }
        #endif
        return gpiod_chip_name(chip).map { String(cString: $0) } ?? ""
    }

    /// `gpiod_chip_label`: the driver's label, `pinctrl-bcm2711`.
    static func chipLabel(_ chip: Chip) -> String {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipLabel(chip) }
        #endif
        return gpiod_chip_label(chip).map { String(cString: $0) } ?? ""
    }

    /// `gpiod_chip_num_lines`.
    static func chipNumLines(_ chip: Chip) -> Int {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipNumLines(chip) }
        #endif
        return Int(gpiod_chip_num_lines(chip))
    }

    /// `gpiod_chip_get_line`: EINVAL when the chip has no such offset.
    static func chipGetLine(_ chip: Chip, _ offset: UInt32) -> Line? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipGetLine(chip, offset) }
        #endif
        return gpiod_chip_get_line(chip, offset)
    }

    /// `gpiod_chip_find_line`: the first line of this chip with the name; ENOENT when none.
    static func chipFindLine(_ chip: Chip, _ name: String) -> Line? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipFindLine(chip, name) }
        #endif
        return gpiod_chip_find_line(chip, name)
    }

    // MARK: Line information (as of the last get/update)

    /// `gpiod_line_offset`.
    static func lineOffset(_ line: Line) -> UInt32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineOffset(line) }
        #endif
        return gpiod_line_offset(line)
    }

    /// `gpiod_line_name`: nil for an unnamed line.
    static func lineName(_ line: Line) -> String? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineName(line) }
        #endif
        return gpiod_line_name(line).map { String(cString: $0) }
    }

    /// `gpiod_line_consumer`: nil when unused or when the user gave no label.
    static func lineConsumer(_ line: Line) -> String? {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineConsumer(line) }
        #endif
        return gpiod_line_consumer(line).map { String(cString: $0) }
    }

    /// `gpiod_line_direction`: `GPIOD_LINE_DIRECTION_INPUT` or `_OUTPUT`.
    static func lineDirection(_ line: Line) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineDirection(line) }
        #endif
        return gpiod_line_direction(line)
    }

    /// `gpiod_line_active_state`: `GPIOD_LINE_ACTIVE_STATE_HIGH` or `_LOW`.
    static func lineActiveState(_ line: Line) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineActiveState(line) }
        #endif
        return gpiod_line_active_state(line)
    }

    /// `gpiod_line_is_used`: requested by anyone, this process included, or claimed by the kernel.
    static func lineIsUsed(_ line: Line) -> Bool {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineIsUsed(line) }
        #endif
        return gpiod_line_is_used(line)
    }

    // MARK: Requests and values

    /// `gpiod_line_request` with a `gpiod_line_request_config` of (consumer, requestType, flags):
    /// the one request call, so direction, edges and active-low all show in one traced call.
    /// `defaultValue` is the output's initial logical level (ignored for inputs). EBUSY when
    /// another consumer holds the line.
    static func lineRequest(
        _ line: Line, consumer: String, requestType: Int32, flags: Int32, defaultValue: Int32
    ) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current {
            return mock.lineRequest(line, consumer: consumer, requestType: requestType, flags: flags,
                                    defaultValue: defaultValue)
        }
        #endif
        return consumer.withCString { label in
            var config = gpiod_line_request_config(consumer: label, request_type: requestType, flags: flags)
            return gpiod_line_request(line, &config, defaultValue)
        }
    }

    /// `gpiod_line_release`.
    static func lineRelease(_ line: Line) {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineRelease(line) }
        #endif
        gpiod_line_release(line)
    }

    /// `gpiod_line_get_value`: the logical level (the request's active-low applied), or -1.
    static func lineGetValue(_ line: Line) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineGetValue(line) }
        #endif
        return gpiod_line_get_value(line)
    }

    /// `gpiod_line_set_value`: sets the logical level of a line requested as output; 0 or -1.
    static func lineSetValue(_ line: Line, _ value: Int32) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineSetValue(line, value) }
        #endif
        return gpiod_line_set_value(line, value)
    }

    // MARK: Edge events

    /// `gpiod_line_event_get_fd`: the descriptor that polls readable while events are queued.
    static func lineEventGetFD(_ line: Line) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineEventGetFD(line) }
        #endif
        return gpiod_line_event_get_fd(line)
    }

    /// `gpiod_line_event_read_multiple`: up to `capacity` queued events into `events`; returns how
    /// many, or -1. Blocks when none is queued, so call it only after poll reported the fd readable.
    static func lineEventReadMultiple(
        _ line: Line, _ events: UnsafeMutablePointer<gpiod_line_event>, _ capacity: UInt32
    ) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.lineEventReadMultiple(line, events, capacity) }
        #endif
        return gpiod_line_event_read_multiple(line, events, capacity)
    }

    // MARK: System calls around libgpiod

    /// poll(2) on event descriptors; `timeoutMilliseconds` 0 never blocks.
    static func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: Int, _ timeoutMilliseconds: Int32) -> Int32 {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.poll(fds, count, timeoutMilliseconds) }
        #endif
        return Glibc.poll(fds, nfds_t(count), timeoutMilliseconds)
    }

    /// The GPIO character devices, as names in `directory` starting with `gpiochip` (the scan
    /// `gpiod_chip_iter_new` does, but without opening them: an iterator fails as a whole when one
    /// chip cannot be opened, and `stipple devices` must say which). Unsorted; -1 and errno when
    /// the directory cannot be read.
    static func chipDeviceNames(in directory: String) -> (names: [String], result: Int32) {
        #if DEBUG
        if let mock = GpiodMockingDriver.current { return mock.chipDeviceNames(in: directory) }
        #endif
        guard let dir = opendir(directory) else { return ([], -1) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("gpiochip") { names.append(name) }
        }
        return (names, 0)
    }
}

extension LibGPIOD {
    // The libgpiod v1 constants, typed for the shims (the C enums import as Int).
    static let requestDirectionOutput = Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT)
    static let requestDirectionInput = Int32(GPIOD_LINE_REQUEST_DIRECTION_INPUT)
    static let requestEventBothEdges = Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES)
    static let flagActiveLow = Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)
    static let flagOpenDrain = Int32(GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN)
    static let flagOpenSource = Int32(GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE)
    static let flagBiasDisable = Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
    static let flagBiasPullDown = Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
    static let flagBiasPullUp = Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
    static let directionInput = Int32(GPIOD_LINE_DIRECTION_INPUT)
    static let directionOutput = Int32(GPIOD_LINE_DIRECTION_OUTPUT)
    static let activeStateLow = Int32(GPIOD_LINE_ACTIVE_STATE_LOW)
    static let eventRisingEdge = Int32(GPIOD_LINE_EVENT_RISING_EDGE)
    static let eventFallingEdge = Int32(GPIOD_LINE_EVENT_FALLING_EDGE)
}
