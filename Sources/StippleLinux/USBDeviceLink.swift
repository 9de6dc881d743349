#if canImport(Glibc)
import Glibc
#endif
import CLibUSB
import StippleHardware
import StippleModel
import Synchronization

/// The byte stream to a machine's controller board over its two bulk endpoints, behind the
/// `DeviceLink` seam: the control loop cannot tell it from the simulator's socket.
///
/// Opening finds the board by VID:PID (and serial number), detaches a kernel driver that holds
/// the interface, claims the interface and checks the machine file's endpoint addresses against
/// the configuration descriptor. Then everything is asynchronous, so the control loop never waits
/// on USB: a few IN transfers are always submitted and their bytes land in a lock-free ring that
/// `receive(into:)` drains; `send(_:)` copies into a preallocated OUT transfer and submits it. A
/// dedicated thread runs libusb's event handling, where the completions run. After setup nothing
/// allocates per frame: transfers, buffers and the ring are made once, at `init`.
///
/// Unplugging shows as `LinkError.disconnected` from the next `send`/`receive`: the IN transfers
/// in flight end with LIBUSB_TRANSFER_NO_DEVICE as soon as the kernel notices (and, where libusb
/// has hotplug support, a "device left" event says the same), so it takes far less than the
/// protocol's 100 ms link timeout. `reconnect()` finds the board again without restarting.
///
/// Threads: `send`, `receive`, `reconnect` and `close` belong to one caller thread (the control
/// loop's); the completion and hotplug callbacks run on the event thread. They share only the
/// ring, each slot's `inFlight` flag and the atomic flags below.
public final class USBDeviceLink: DeviceLink, @unchecked Sendable {
    /// How the link is set up; the defaults suit the firmware protocol's 64-byte frames.
    public struct Options: Sendable, Hashable {
        public var endpointCheck: USBEndpointCheck
        /// IN transfers kept submitted. Each is one wMaxPacketSize long, so it completes with
        /// every packet whatever the device's transfer boundaries (no ZLP needed from it).
        public var inTransfers: Int
        /// OUT transfers in the pool: how many `send`s may be in flight at once.
        public var outTransfers: Int
        /// Bytes per OUT transfer; a longer `send` is split across several.
        public var outTransferBytes: Int
        /// An OUT transfer the device has not taken by then is cancelled; the next `send` throws
        /// `LinkError.timedOut`.
        public var outTimeoutMilliseconds: UInt32
        /// Room for received bytes not yet drained by `receive` (rounded up to a power of two).
        public var receiveBufferBytes: Int
        /// Detach a kernel driver bound to the interface (re-attached at close).
        public var detachKernelDriver: Bool

        public init(endpointCheck: USBEndpointCheck = .strict, inTransfers: Int = 4, outTransfers: Int = 16,
                    outTransferBytes: Int = 1024, outTimeoutMilliseconds: UInt32 = 100,
                    receiveBufferBytes: Int = 65_536, detachKernelDriver: Bool = true) {
            self.endpointCheck = endpointCheck
            self.inTransfers = max(1, inTransfers)
            self.outTransfers = max(1, outTransfers)
            self.outTransferBytes = max(64, outTransferBytes)
            self.outTimeoutMilliseconds = outTimeoutMilliseconds
            self.receiveBufferBytes = receiveBufferBytes
            self.detachKernelDriver = detachKernelDriver
        }
    }

    /// Who runs libusb's event handling. Tests use `.manual` and call `handleEvents()` themselves.
    enum EventHandling: Sendable {
        case thread
        case manual
    }

    public let identity: USBIdentity
    public let serialNumber: String?
    public let options: Options
    /// The device found at the last (re)connection; nil while not connected.
    public private(set) var connection: USBConnection?

    /// Largest IN wMaxPacketSize an IN buffer can hold (SuperSpeed bulk).
    static let inBufferBytes = 1024

    let usb: LibUSBCalls
    private let eventHandling: EventHandling
    private let inSlots: [USBTransferSlot]
    private let outSlots: [USBTransferSlot]
    private var nextOut = 0
    private let ring: USBReceiveRing
    private let counters = USBLinkCounters()

    // The caller's thread only.
    private var context: OpaquePointer?
    private var eventThread: USBEventThread?
    private var handle: OpaquePointer?
    private var claimed = false
    private var detachedKernelDriver = false
    private var hotplugHandle: libusb_hotplug_callback_handle?
    private var outMaxPacketSize = 64
    private var outEndpoint: UInt8 = 0
    private var inEndpoint: UInt8 = 0
    private var closed = false
    /// Set if cancelled transfers never completed: the handle and context are then leaked rather
    /// than freed under libusb's feet.
    private var stuck = false

    // Shared with the event thread.
    private let gone = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    /// The open device, as a bit pattern, for the hotplug callback to compare against.
    private let deviceBits = Atomic<Int>(0)
    private let unreportedTimeouts = Atomic<Int>(0)
    /// A failed OUT transfer not yet reported: its libusb transfer status + 1 (0: none).
    private let outFault = Atomic<Int>(0)
    /// A failed IN resubmission or transfer: transfer status + 1, or a negative libusb error.
    private let inFault = Atomic<Int>(0)
    private let consecutiveInErrors = Atomic<Int>(0)

    /// Opens the machine with `identity`'s VID:PID (the one with `serialNumber`, if given).
    public convenience init(identity: USBIdentity, serialNumber: String? = nil, options: Options = Options()) throws(USBLinkError) {
        try self.init(identity: identity, serialNumber: serialNumber, options: options, usb: .system, eventHandling: .thread)
    }

    init(identity: USBIdentity, serialNumber: String?, options: Options, usb: LibUSBCalls,
         eventHandling: EventHandling) throws(USBLinkError) {
        self.identity = identity
        self.serialNumber = serialNumber
        self.options = options
        self.usb = usb
        self.eventHandling = eventHandling
        ring = USBReceiveRing(capacity: options.receiveBufferBytes)
        inSlots = (0..<options.inTransfers).map { _ in USBTransferSlot(capacity: Self.inBufferBytes, isIn: true) }
        outSlots = (0..<options.outTransfers).map { _ in USBTransferSlot(capacity: options.outTransferBytes, isIn: false) }
        for s in inSlots + outSlots { s.owner = Unmanaged.passUnretained(self) }
        try connect()
    }

    deinit {
        close()
    }

    public var statistics: USBLinkStatistics { counters.snapshot }

    public var isConnected: Bool { handle != nil && !gone.load(ordering: .acquiring) }

    // MARK: DeviceLink

    public func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) {
        guard handle != nil, !gone.load(ordering: .acquiring) else { throw .disconnected }
        if unreportedTimeouts.exchange(0, ordering: .acquiring) > 0 { throw .timedOut }
        let fault = outFault.exchange(0, ordering: .acquiring)
        if fault != 0 { throw faultError(direction: "OUT", endpoint: outEndpoint, fault: fault - 1) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let capacity = options.outTransferBytes
        let needed = (bytes.count + capacity - 1) / capacity
        var idle = 0
        for s in outSlots where !s.inFlight.load(ordering: .acquiring) { idle += 1 }
        guard idle >= needed else {
            // The device is not taking data; the oldest transfer will time out soon.
            counters.add(.outPoolExhausted)
            throw .timedOut
        }
        var offset = 0
        while offset < bytes.count {
            let n = min(capacity, bytes.count - offset)
            let slot = takeIdleOutSlot()
            slot.buffer.update(from: base.assumingMemoryBound(to: UInt8.self) + offset, count: n)
            let zlp = Self.needsZeroLengthPacket(length: n, maxPacketSize: outMaxPacketSize)
            let transfer = slot.transfer!
            transfer.pointee.length = Int32(n)
            transfer.pointee.flags = zlp ? Self.zeroPacketFlag : 0
            slot.inFlight.store(true, ordering: .releasing)
            let rc = usb.submitTransfer(transfer)
            guard rc == 0 else {
                slot.inFlight.store(false, ordering: .releasing)
                if rc == LibUSBCode.noDevice {
                    markGone()
                    throw .disconnected
                }
                throw .io(operation: "USB bulk OUT \(USBLinkError.hex(outEndpoint)) submit (\(LibUSBCode.name(rc)))", code: rc)
            }
            counters.add(.outTransfersSubmitted)
            if zlp { counters.add(.zeroLengthPackets) }
            offset += n
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int {
        guard handle != nil else { throw .disconnected }
        let n = ring.read(into: buffer)
        if n > 0 { return n }
        if gone.load(ordering: .acquiring) { throw .disconnected }
        let fault = inFault.exchange(0, ordering: .acquiring)
        if fault > 0 { throw faultError(direction: "IN", endpoint: inEndpoint, fault: fault - 1) }
        if fault < 0 {
            let code = Int32(truncatingIfNeeded: fault)
            throw .io(operation: "USB bulk IN \(USBLinkError.hex(inEndpoint)) resubmit (\(LibUSBCode.name(code)))", code: code)
        }
        return 0
    }

    // MARK: Connection

    /// Drops the current connection (if any) and finds the machine again: after `link-lost`, when
    /// the cable is back. Throws as `init` does while the machine is not there yet.
    ///
    /// A new libusb context is made each time: without udevd (a bare rig, a container) libusb's
    /// device list is never refreshed after the context is created, so an old context would not
    /// see the re-plugged board.
    public func reconnect() throws(USBLinkError) {
        guard !closed else { throw .closed }
        disconnect()
        counters.add(.reconnects)
        try connect()
    }

    /// Releases the interface, closes the device and stops the event thread. Later `send` and
    /// `receive` throw `.disconnected`; `reconnect` throws `.closed`.
    public func close() {
        guard !closed else { return }
        disconnect()
        closed = true
    }

    private func connect() throws(USBLinkError) {
        var ctx: OpaquePointer?
        let rc = usb.initContext(&ctx)
        guard rc == 0, let ctx else { throw .libusb(operation: "initialising libusb", code: rc) }
        context = ctx
        do throws(USBLinkError) {
            for s in inSlots + outSlots {
                guard let t = usb.allocTransfer(isoPackets: 0) else {
                    throw USBLinkError.libusb(operation: "allocating transfers", code: LibUSBCode.noMemory)
                }
                t.pointee.user_data = Unmanaged.passUnretained(s).toOpaque()
                t.pointee.buffer = s.buffer
                t.pointee.callback = Self.transferCallback
                s.transfer = t
            }
            if eventHandling == .thread {
                eventThread = USBEventThread.start(usb: usb, context: ctx)
                if eventThread == nil {
                    throw USBLinkError.libusb(operation: "starting the USB event thread", code: LibUSBCode.noMemory)
                }
            }
            try openDevice(ctx)
        } catch {
            disconnect()
            throw error
        }
    }

    private func openDevice(_ ctx: OpaquePointer) throws(USBLinkError) {
        let v = identity.vendorID, p = identity.productID
        let interface = Int32(identity.interface)
        let found = try USBDiscovery.open(usb, ctx, vendorID: v, productID: p, serialNumber: serialNumber)
        handle = found.handle

        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        let rc = usb.getActiveConfigDescriptor(found.device, &config)
        guard rc == 0, let config else {
            if rc == LibUSBCode.noDevice { throw .deviceGone(vendorID: v, productID: p, operation: "reading the configuration descriptor") }
            throw .libusb(operation: "reading the configuration descriptor of \(USBLinkError.id(v, p))", code: rc)
        }
        let layout = USBInterfaceLayout.interfaces(of: config)
        usb.freeConfigDescriptor(config)
        let selection = try USBEndpointSelection.select(for: identity, in: layout, check: options.endpointCheck).get()

        if options.detachKernelDriver {
            let active = usb.kernelDriverActive(found.handle, interface)
            if active == 1 {
                let d = usb.detachKernelDriver(found.handle, interface)
                switch d {
                case 0, LibUSBCode.notFound: detachedKernelDriver = d == 0
                case LibUSBCode.noDevice: throw .deviceGone(vendorID: v, productID: p, operation: "detaching the kernel driver")
                case LibUSBCode.access:
                    throw .noPermission(vendorID: v, productID: p, bus: found.bus, address: found.address,
                                        operation: "detach kernel driver from interface \(interface)")
                default: throw .libusb(operation: "detaching the kernel driver from interface \(interface) of \(USBLinkError.id(v, p))", code: d)
                }
            } else if active == LibUSBCode.noDevice {
                throw .deviceGone(vendorID: v, productID: p, operation: "checking for a kernel driver")
            }
            // NOT_SUPPORTED and other answers: claiming below says whether the interface is free.
        }

        let c = usb.claimInterface(found.handle, interface)
        switch c {
        case 0: claimed = true
        case LibUSBCode.busy: throw .interfaceBusy(vendorID: v, productID: p, interface: identity.interface)
        case LibUSBCode.access:
            throw .noPermission(vendorID: v, productID: p, bus: found.bus, address: found.address, operation: "claim interface \(interface)")
        case LibUSBCode.noDevice: throw .deviceGone(vendorID: v, productID: p, operation: "claiming interface \(interface)")
        case LibUSBCode.notFound:
            throw .interfaceMissing(vendorID: v, productID: p, interface: identity.interface, available: layout.map(\.number))
        default: throw .libusb(operation: "claiming interface \(interface) of \(USBLinkError.id(v, p))", code: c)
        }

        var notes: [String] = []
        if let note = selection.note { notes.append(note) }
        // A fresh connection: cleared before the hotplug callback can report this device gone.
        gone.store(false, ordering: .releasing)
        stopping.store(false, ordering: .releasing)
        unreportedTimeouts.store(0, ordering: .relaxed)
        outFault.store(0, ordering: .relaxed)
        inFault.store(0, ordering: .relaxed)
        consecutiveInErrors.store(0, ordering: .relaxed)
        ring.removeAll()
        deviceBits.store(Int(bitPattern: UnsafeRawPointer(found.device)), ordering: .releasing)
        var watched = false
        if usb.hasCapability(LIBUSB_CAP_HAS_HOTPLUG) {
            var h = libusb_hotplug_callback_handle()
            let r = usb.hotplugRegisterCallback(
                ctx, events: Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue), vendorID: Int32(v), productID: Int32(p),
                { _, device, event, user in
                    guard let device, let user else { return 0 }
                    Unmanaged<USBDeviceLink>.fromOpaque(user).takeUnretainedValue().hotplug(device: device, event: event.rawValue)
                    return 0
                }, Unmanaged.passUnretained(self).toOpaque(), &h)
            if r == 0 {
                hotplugHandle = h
                watched = true
            } else {
                notes.append("no hotplug events (\(LibUSBCode.name(r))): an unplug is seen through failed transfers only")
            }
        } else {
            notes.append("this libusb has no hotplug support: an unplug is seen through failed transfers only")
        }

        outEndpoint = selection.out.address
        inEndpoint = selection.in.address
        outMaxPacketSize = max(1, selection.out.maxPacketSize)
        let inLength = Int32(min(max(1, selection.in.maxPacketSize), Self.inBufferBytes))
        for s in outSlots {
            let t = s.transfer!
            t.pointee.dev_handle = found.handle
            t.pointee.endpoint = outEndpoint
            t.pointee.type = UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue)
            t.pointee.timeout = options.outTimeoutMilliseconds
        }
        for s in inSlots {
            let t = s.transfer!
            t.pointee.dev_handle = found.handle
            t.pointee.endpoint = inEndpoint
            t.pointee.type = UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue)
            t.pointee.timeout = 0
            t.pointee.flags = 0
            t.pointee.length = inLength
        }
        for s in inSlots {
            s.inFlight.store(true, ordering: .releasing)
            let r = usb.submitTransfer(s.transfer!)
            if r != 0 {
                s.inFlight.store(false, ordering: .releasing)
                if r == LibUSBCode.noDevice { throw .deviceGone(vendorID: v, productID: p, operation: "starting IN transfers") }
                throw .libusb(operation: "submitting IN transfers on \(USBLinkError.hex(inEndpoint))", code: r)
            }
        }
        connection = USBConnection(
            bus: found.bus, address: found.address, serialNumber: found.serialNumber, speed: LibUSBCode.speedName(found.speed),
            endpointOut: outEndpoint, endpointIn: inEndpoint, maxPacketSizeOut: selection.out.maxPacketSize,
            maxPacketSizeIn: selection.in.maxPacketSize, detachedKernelDriver: detachedKernelDriver,
            hotplugWatched: watched, notes: notes)
    }

    /// Undoes whatever `connect` got to, in reverse: transfers in flight, hotplug, interface,
    /// handle, event thread, transfers, context. Safe to call in any state. The transfers go
    /// before the context: libusb drops their device reference when they are freed.
    private func disconnect() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        if handle != nil { drainTransfers() }
        if let ctx = context, let h = hotplugHandle { usb.hotplugDeregisterCallback(ctx, h) }
        hotplugHandle = nil
        if let handle, !stuck {
            let interface = Int32(identity.interface)
            if claimed { _ = usb.releaseInterface(handle, interface) }
            if detachedKernelDriver && !gone.load(ordering: .acquiring) { _ = usb.attachKernelDriver(handle, interface) }
            usb.close(handle)
            // libusb_free_transfer reads the context through dev_handle: never leave a closed one.
            for s in inSlots + outSlots { s.transfer?.pointee.dev_handle = nil }
        }
        claimed = false
        detachedKernelDriver = false
        handle = nil
        connection = nil
        deviceBits.store(0, ordering: .releasing)
        eventThread?.stop()
        eventThread = nil
        // Stuck transfers (never completed after cancelling) and their context are leaked, not
        // freed under libusb's feet.
        guard !stuck else { return }
        for s in inSlots + outSlots {
            if let t = s.transfer { usb.freeTransfer(t) }
            s.transfer = nil
        }
        if let ctx = context { usb.exitContext(ctx) }
        context = nil
    }

    /// Lets OUT transfers finish, cancels every transfer still in flight and waits (up to 2 s) for
    /// their callbacks, which do not resubmit while `stopping` is set. Cancelling again on each
    /// pass catches an IN transfer that its callback resubmitted just before it saw `stopping`.
    private func drainTransfers() {
        // What was sent goes out first (the last ACK of a session, say), for as long as an OUT
        // transfer may take anyway; then everything still in flight is cancelled.
        if !gone.load(ordering: .acquiring) {
            let flushBy = Self.monotonicNanoseconds() + UInt64(options.outTimeoutMilliseconds) * 1_000_000
            while outSlots.contains(where: { $0.inFlight.load(ordering: .acquiring) }) && !gone.load(ordering: .acquiring)
                    && Self.monotonicNanoseconds() < flushBy {
                if eventHandling == .manual { handleEvents() } else { usleep(200) }
            }
        }
        let slots = inSlots + outSlots
        let deadline = Self.monotonicNanoseconds() + 2_000_000_000
        while slots.contains(where: { $0.inFlight.load(ordering: .acquiring) }) {
            for s in slots where s.inFlight.load(ordering: .acquiring) {
                if let t = s.transfer { _ = usb.cancelTransfer(t) }
            }
            if eventHandling == .manual {
                handleEvents()
            } else {
                usleep(500)
            }
            if Self.monotonicNanoseconds() > deadline {
                stuck = true
                return
            }
        }
    }

    /// Runs libusb's event handling once on the caller's thread (`.manual` links, in tests).
    func handleEvents(timeoutMicroseconds: Int = 0) {
        guard let context else { return }
        var tv = timeval(tv_sec: timeoutMicroseconds / 1_000_000, tv_usec: timeoutMicroseconds % 1_000_000)
        _ = usb.handleEventsTimeoutCompleted(context, &tv)
    }

    // MARK: Completions (event thread)

    private static let transferCallback: libusb_transfer_cb_fn = { transfer in
        guard let transfer, let user = transfer.pointee.user_data else { return }
        let slot = Unmanaged<USBTransferSlot>.fromOpaque(user).takeUnretainedValue()
        slot.owner?.takeUnretainedValue().completed(slot, transfer)
    }

    private func completed(_ slot: USBTransferSlot, _ t: UnsafeMutablePointer<libusb_transfer>) {
        let status = t.pointee.status.rawValue
        let actual = Int(t.pointee.actual_length)
        if slot.isIn {
            inCompleted(slot, t, status: status, actual: actual)
        } else {
            outCompleted(slot, t, status: status, actual: actual)
        }
    }

    private func inCompleted(_ slot: USBTransferSlot, _ t: UnsafeMutablePointer<libusb_transfer>, status: UInt32, actual: Int) {
        switch status {
        case LibUSBCode.transferCompleted:
            consecutiveInErrors.store(0, ordering: .relaxed)
            counters.add(.inTransfersCompleted)
            if actual > 0 {
                if ring.write(UnsafeRawBufferPointer(start: slot.buffer, count: actual)) {
                    counters.add(.bytesIn, actual)
                } else {
                    counters.add(.inBytesDropped, actual)
                }
            }
            resubmitIn(slot, t)
        case LibUSBCode.transferNoDevice:
            markGone()
            slot.inFlight.store(false, ordering: .releasing)
        case LibUSBCode.transferCancelled:
            slot.inFlight.store(false, ordering: .releasing)
        case LibUSBCode.transferStall:
            counters.add(.stalls)
            if let h = t.pointee.dev_handle { _ = usb.clearHalt(h, t.pointee.endpoint) }
            resubmitIn(slot, t)
        default:
            // ERROR, OVERFLOW, TIMED_OUT: a glitch is retried; a steady stream of them (a
            // device half gone) is reported once and the slot rests.
            counters.add(.transferErrors)
            if consecutiveInErrors.add(1, ordering: .relaxed).newValue > 50 {
                inFault.store(Int(status) + 1, ordering: .releasing)
                slot.inFlight.store(false, ordering: .releasing)
            } else {
                resubmitIn(slot, t)
            }
        }
    }

    private func resubmitIn(_ slot: USBTransferSlot, _ t: UnsafeMutablePointer<libusb_transfer>) {
        guard !stopping.load(ordering: .sequentiallyConsistent), !gone.load(ordering: .acquiring) else {
            slot.inFlight.store(false, ordering: .releasing)
            return
        }
        let rc = usb.submitTransfer(t)
        guard rc != 0 else { return }
        slot.inFlight.store(false, ordering: .releasing)
        if rc == LibUSBCode.noDevice {
            markGone()
        } else {
            inFault.store(Int(rc), ordering: .releasing)
        }
    }

    private func outCompleted(_ slot: USBTransferSlot, _ t: UnsafeMutablePointer<libusb_transfer>, status: UInt32, actual: Int) {
        switch status {
        case LibUSBCode.transferCompleted:
            counters.add(.bytesOut, actual)
        case LibUSBCode.transferTimedOut:
            counters.add(.outTimeouts)
            unreportedTimeouts.add(1, ordering: .releasing)
        case LibUSBCode.transferNoDevice:
            markGone()
        case LibUSBCode.transferCancelled:
            break
        case LibUSBCode.transferStall:
            counters.add(.stalls)
            if let h = t.pointee.dev_handle { _ = usb.clearHalt(h, t.pointee.endpoint) }
            outFault.store(Int(status) + 1, ordering: .releasing)
        default:
            counters.add(.transferErrors)
            outFault.store(Int(status) + 1, ordering: .releasing)
        }
        slot.inFlight.store(false, ordering: .releasing)
    }

    private func hotplug(device: OpaquePointer, event: UInt32) {
        guard event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue,
              Int(bitPattern: UnsafeRawPointer(device)) == deviceBits.load(ordering: .acquiring) else { return }
        if !gone.load(ordering: .acquiring) { counters.add(.hotplugRemovals) }
        markGone()
    }

    private func markGone() {
        if !gone.exchange(true, ordering: .acquiringAndReleasing) { counters.add(.disconnects) }
    }

    // MARK: Helpers

    /// The next OUT slot not in flight, round robin (so transfers are reused in submission order).
    /// Only called after counting enough idle slots.
    private func takeIdleOutSlot() -> USBTransferSlot {
        for k in 0..<outSlots.count {
            let i = (nextOut + k) % outSlots.count
            if !outSlots[i].inFlight.load(ordering: .acquiring) {
                nextOut = (i + 1) % outSlots.count
                return outSlots[i]
            }
        }
        preconditionFailure("no idle OUT transfer after counting one")
    }

    /// A bulk transfer ends at a short packet. One whose length is a whole number of packets
    /// needs a zero-length packet after it, or the device's read (buffer larger than the
    /// transfer) waits for more: at full speed a 64-byte frame is exactly one packet.
    static func needsZeroLengthPacket(length: Int, maxPacketSize: Int) -> Bool {
        length > 0 && maxPacketSize > 0 && length % maxPacketSize == 0
    }

    static let zeroPacketFlag = UInt8(truncatingIfNeeded: LIBUSB_TRANSFER_ADD_ZERO_PACKET.rawValue)

    private func faultError(direction: String, endpoint: UInt8, fault: Int) -> LinkError {
        let status = UInt32(truncatingIfNeeded: fault)
        return .io(operation: "USB bulk \(direction) \(USBLinkError.hex(endpoint)) (\(LibUSBCode.transferStatusName(status)))",
                   code: Int32(truncatingIfNeeded: fault))
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
