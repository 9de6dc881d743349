#if DEBUG
#if canImport(Glibc)
import Glibc
#endif
import CLibUSB

/// A stand-in for libusb in debug builds, so tests can run the USB link without a bus: every
/// `LibUSBCalls` shim given this driver records its call here and takes its answer from here.
///
/// Like swift-system's `MockingDriver` it keeps a trace of calls and can force errors (by C
/// function name, once, several times or always). Beyond that it simulates what the link needs
/// from libusb: devices with descriptors and serial strings, handles, interface claims, kernel
/// drivers, asynchronous transfers that complete only inside `libusb_handle_events_*` (as libusb's
/// do), cancellation, unplug and re-plug with hotplug events. It also notes misuse that real
/// libusb would punish (freeing a transfer in flight, closing a handle with transfers pending,
/// submitting a transfer twice) in `violations`, which tests expect to stay empty.
///
/// `libusb_handle_events_timeout_completed` is not traced: an event thread calls it hundreds of
/// times a second.
final class LibUSBMockingDriver: @unchecked Sendable {
    // @unchecked: all state is behind `state`'s lock; callbacks run outside it.

    struct Call: Sendable, Hashable, CustomStringConvertible {
        var name: String
        var arguments: [Int]
        init(_ name: String, _ arguments: [Int] = []) {
            self.name = name
            self.arguments = arguments
        }
        var description: String { "\(name)(\(arguments.map(String.init).joined(separator: ", ")))" }
    }

    struct Endpoint: Sendable, Hashable {
        var address: UInt8
        /// bmAttributes: 2 bulk, 3 interrupt.
        var attributes: UInt8 = 2
        var maxPacketSize: UInt16
    }

    struct Interface: Sendable, Hashable {
        var number: UInt8
        var endpoints: [Endpoint]
    }

    struct Device: Sendable, Hashable {
        var vendorID: UInt16
        var productID: UInt16
        var serialNumber: String?
        var bus: UInt8 = 1
        var address: UInt8 = 2
        /// enum libusb_speed: 2 full, 3 high.
        var speed: Int32 = 3
        var interfaces: [Interface]
        var kernelDriverActive = false
        /// What libusb_open answers (e.g. LIBUSB_ERROR_ACCESS for a device without permission).
        var openError: Int32 = 0

        /// A Stipple controller board: interface 0 with bulk OUT and IN of `maxPacketSize`.
        static func board(vendorID: UInt16 = 0x1209, productID: UInt16 = 0x5701, serialNumber: String? = "R1-0001",
                          out: UInt8 = 0x01, in inp: UInt8 = 0x81, maxPacketSize: UInt16 = 64,
                          bus: UInt8 = 1, address: UInt8 = 2) -> Device {
            Device(vendorID: vendorID, productID: productID, serialNumber: serialNumber, bus: bus, address: address,
                   speed: maxPacketSize >= 512 ? 3 : 2,
                   interfaces: [Interface(number: 0, endpoints: [Endpoint(address: out, maxPacketSize: maxPacketSize),
                                                                  Endpoint(address: inp, maxPacketSize: maxPacketSize)])])
        }
    }

    /// One submitted transfer, as the bus saw it.
    struct Submission: Sendable, Hashable {
        var endpoint: UInt8
        var length: Int
        var flags: UInt8
        var timeout: UInt32
        /// The bytes of an OUT transfer; empty for IN.
        var bytes: [UInt8]
        var zeroLengthPacket: Bool { flags & UInt8(LIBUSB_TRANSFER_ADD_ZERO_PACKET.rawValue) != 0 }
    }

    private struct PlugState {
        var spec: Device
        var token: Int
        var present = true
    }

    private struct Completion {
        var transfer: UnsafeMutablePointer<libusb_transfer>
        var status: UInt32
        var data: [UInt8]
        var actual: Int
    }

    private struct Hotplug {
        var callback: libusb_hotplug_callback_fn
        var userData: UnsafeMutableRawPointer?
        var events: Int32
        var vendorID: Int32
        var productID: Int32
    }

    private struct State {
        var calls: [Call] = []
        var forced: [String: (code: Int32, remaining: Int?)] = [:]
        var devices: [PlugState] = []
        var nextToken = 0x10_000
        var contexts: Set<Int> = []
        var handles: [Int: Int] = [:]  // handle token -> device index
        var handleDevice: [Int: Int] = [:]  // handle token -> device token at open
        var claimed: Set<[Int]> = []  // [handle, interface]
        var lists: [Int: Int] = [:]  // list address -> count
        var configs: [Int: [UnsafeMutableRawPointer]] = [:]
        var live: Set<Int> = []
        /// Live transfers that have been submitted: libusb holds their device until they are freed.
        var submittedOnce: Set<Int> = []
        var pending: [UnsafeMutablePointer<libusb_transfer>] = []
        var completions: [Completion] = []
        var hotplugs: [Int32: Hotplug] = [:]
        var nextHotplug: Int32 = 1
        var hotplugEvents: [(device: Int, event: Int32)] = []
        var submissions: [Submission] = []
        var violations: [String] = []
        var interrupted = false
        var autoCompleteOut = true
        var hotplugCapable = true
    }

    // A plain pthread mutex: the state holds raw pointers, which Mutex's `sending` rules refuse.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var shared = State()

    private func locked<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&shared)
    }

    init(devices: [Device] = []) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        for d in devices { _ = addDevice(d) }
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    // MARK: Test controls

    /// Plugs a device in; returns its index for `unplug`/`replug`.
    @discardableResult
    func addDevice(_ device: Device) -> Int {
        locked { s in
            s.nextToken += 0x100
            s.devices.append(PlugState(spec: device, token: s.nextToken))
            return s.devices.count - 1
        }
    }

    /// Makes the named C function fail with `code`: `times` calls, or every call when nil.
    func fail(_ function: String, with code: Int32, times: Int? = 1) {
        locked { $0.forced[function] = (code, times) }
    }

    /// Whether OUT transfers complete (fully sent) at the next event handling without being told.
    var autoCompleteOut: Bool {
        get { locked { $0.autoCompleteOut } }
        set { locked { $0.autoCompleteOut = newValue } }
    }

    var hotplugCapable: Bool {
        get { locked { $0.hotplugCapable } }
        set { locked { $0.hotplugCapable = newValue } }
    }

    var calls: [Call] { locked { $0.calls } }
    var callNames: [String] { calls.map(\.name) }
    var submissions: [Submission] { locked { $0.submissions } }
    var violations: [String] { locked { $0.violations } }
    var liveTransfers: Int { locked { $0.live.count } }
    var openHandles: Int { locked { $0.handles.count } }
    var openContexts: Int { locked { $0.contexts.count } }
    var claimedInterfaces: Int { locked { $0.claimed.count } }
    var registeredHotplugCallbacks: Int { locked { $0.hotplugs.count } }

    /// Submitted transfers not yet completed, IN or OUT.
    func pending(in direction: Bool) -> Int {
        locked { s in s.pending.filter { ($0.pointee.endpoint & 0x80 != 0) == direction }.count }
    }

    func clearTrace() {
        locked { $0.calls.removeAll() }
    }

    /// The oldest pending IN transfer receives `bytes` (at most its length) at the next event
    /// handling. Returns false when no IN transfer is pending: the device would have to wait.
    @discardableResult
    func deliverIn(_ bytes: [UInt8]) -> Bool {
        locked { s in
            guard let i = s.pending.firstIndex(where: { $0.pointee.endpoint & 0x80 != 0 }) else { return false }
            let t = s.pending.remove(at: i)
            let n = min(bytes.count, Int(t.pointee.length))
            s.completions.append(Completion(transfer: t, status: LibUSBCode.transferCompleted, data: Array(bytes.prefix(n)), actual: n))
            return true
        }
    }

    /// Completes the oldest pending IN transfer with `status` and no data (a stall, an error).
    @discardableResult
    func failIn(status: UInt32) -> Bool {
        locked { s in
            guard let i = s.pending.firstIndex(where: { $0.pointee.endpoint & 0x80 != 0 }) else { return false }
            let t = s.pending.remove(at: i)
            s.completions.append(Completion(transfer: t, status: status, data: [], actual: 0))
            return true
        }
    }

    /// Completes up to `count` of the oldest pending OUT transfers with `status` (all bytes sent
    /// if completed, none otherwise). Returns how many.
    @discardableResult
    func completeOut(status: UInt32 = LibUSBCode.transferCompleted, count: Int = 1) -> Int {
        locked { s in
            var done = 0
            while done < count, let i = s.pending.firstIndex(where: { $0.pointee.endpoint & 0x80 == 0 }) {
                let t = s.pending.remove(at: i)
                let actual = status == LibUSBCode.transferCompleted ? Int(t.pointee.length) : 0
                s.completions.append(Completion(transfer: t, status: status, data: [], actual: actual))
                done += 1
            }
            return done
        }
    }

    /// The cable is pulled: transfers in flight end with LIBUSB_TRANSFER_NO_DEVICE, later calls on
    /// the device's handles fail with LIBUSB_ERROR_NO_DEVICE, and a hotplug "left" event follows.
    func unplug(_ index: Int) {
        locked { s in
            s.devices[index].present = false
            let token = s.devices[index].token
            let handlesOfDevice = Set(s.handleDevice.filter { $0.value == token }.map(\.key))
            var kept: [UnsafeMutablePointer<libusb_transfer>] = []
            for t in s.pending {
                if let h = t.pointee.dev_handle, handlesOfDevice.contains(Int(bitPattern: UnsafeRawPointer(h))) {
                    s.completions.append(Completion(transfer: t, status: LibUSBCode.transferNoDevice, data: [], actual: 0))
                } else {
                    kept.append(t)
                }
            }
            s.pending = kept
            s.hotplugEvents.append((token, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)))
        }
    }

    /// Only the hotplug "left" event, without touching transfers: the path a link takes when no
    /// transfer happens to be in flight.
    func hotplugLeft(_ index: Int) {
        locked { s in
            s.devices[index].present = false
            s.hotplugEvents.append((s.devices[index].token, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)))
        }
    }

    /// The cable goes back in: the device reappears as a new libusb device at a new address.
    func replug(_ index: Int) {
        locked { s in
            s.nextToken += 0x100
            s.devices[index].token = s.nextToken
            s.devices[index].present = true
            s.devices[index].spec.address &+= 1
            s.hotplugEvents.append((s.nextToken, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue)))
        }
    }

    // MARK: Bookkeeping

    private static func token(_ p: OpaquePointer) -> Int { Int(bitPattern: UnsafeRawPointer(p)) }
    private static func pointer(_ token: Int) -> OpaquePointer { OpaquePointer(bitPattern: token)! }

    /// Records the call; returns the forced error for it, if one is due.
    private func enter(_ s: inout State, _ name: String, _ arguments: [Int] = []) -> Int32? {
        s.calls.append(Call(name, arguments))
        guard let f = s.forced[name] else { return nil }
        if let remaining = f.remaining {
            s.forced[name] = remaining > 1 ? (f.code, remaining - 1) : nil
        }
        return f.code
    }

    private func deviceIndex(_ s: State, _ device: OpaquePointer) -> Int? {
        let t = Self.token(device)
        return s.devices.firstIndex { $0.token == t }
    }

    // MARK: The shims' answers

    func initContext(_ context: UnsafeMutablePointer<OpaquePointer?>) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_init") { return e }
            s.nextToken += 0x100
            s.contexts.insert(s.nextToken)
            context.pointee = Self.pointer(s.nextToken)
            return 0
        }
    }

    func exitContext(_ context: OpaquePointer) {
        locked { s in
            _ = enter(&s, "libusb_exit")
            if !s.handles.isEmpty { s.violations.append("libusb_exit with \(s.handles.count) handle(s) open") }
            if !s.pending.isEmpty { s.violations.append("libusb_exit with \(s.pending.count) transfer(s) in flight") }
            if !s.submittedOnce.isEmpty {
                s.violations.append("libusb_exit before libusb_free_transfer of \(s.submittedOnce.count) submitted transfer(s): freeing them later unrefs a device of a dead context")
            }
            s.contexts.remove(Self.token(context))
        }
    }

    func hasCapability(_ capability: libusb_capability) -> Bool {
        locked { s in
            _ = enter(&s, "libusb_has_capability", [Int(capability.rawValue)])
            return capability == LIBUSB_CAP_HAS_HOTPLUG ? s.hotplugCapable : true
        }
    }

    func getDeviceList(_ context: OpaquePointer, _ list: UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>) -> Int {
        locked { s in
            if let e = enter(&s, "libusb_get_device_list") { return Int(e) }
            let present = s.devices.filter(\.present)
            let array = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: present.count + 1)
            for (i, d) in present.enumerated() { array[i] = Self.pointer(d.token) }
            array[present.count] = nil
            s.lists[Int(bitPattern: array)] = present.count
            list.pointee = array
            return present.count
        }
    }

    func freeDeviceList(_ list: UnsafeMutablePointer<OpaquePointer?>, unreferenceDevices: Bool) {
        locked { s in
            _ = enter(&s, "libusb_free_device_list", [unreferenceDevices ? 1 : 0])
            if s.lists.removeValue(forKey: Int(bitPattern: list)) == nil {
                s.violations.append("libusb_free_device_list of a list not handed out")
            }
        }
        list.deallocate()
    }

    func getDeviceDescriptor(_ device: OpaquePointer, _ descriptor: UnsafeMutablePointer<libusb_device_descriptor>) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_get_device_descriptor") { return e }
            guard let i = deviceIndex(s, device) else { return LibUSBCode.noDevice }
            let d = s.devices[i].spec
            descriptor.pointee = libusb_device_descriptor(
                bLength: 18, bDescriptorType: 1, bcdUSB: 0x0200, bDeviceClass: 0, bDeviceSubClass: 0,
                bDeviceProtocol: 0, bMaxPacketSize0: 64, idVendor: d.vendorID, idProduct: d.productID,
                bcdDevice: 0x0100, iManufacturer: 1, iProduct: 2, iSerialNumber: d.serialNumber == nil ? 0 : 3,
                bNumConfigurations: 1)
            return 0
        }
    }

    func getBusNumber(_ device: OpaquePointer) -> UInt8 {
        locked { s in deviceIndex(s, device).map { s.devices[$0].spec.bus } ?? 0 }
    }

    func getDeviceAddress(_ device: OpaquePointer) -> UInt8 {
        locked { s in deviceIndex(s, device).map { s.devices[$0].spec.address } ?? 0 }
    }

    func getDeviceSpeed(_ device: OpaquePointer) -> Int32 {
        locked { s in deviceIndex(s, device).map { s.devices[$0].spec.speed } ?? 0 }
    }

    func getActiveConfigDescriptor(_ device: OpaquePointer, _ config: UnsafeMutablePointer<UnsafeMutablePointer<libusb_config_descriptor>?>) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_get_active_config_descriptor") { return e }
            guard let i = deviceIndex(s, device) else { return LibUSBCode.noDevice }
            var owned: [UnsafeMutableRawPointer] = []
            let spec = s.devices[i].spec
            let interfaces = UnsafeMutablePointer<libusb_interface>.allocate(capacity: max(1, spec.interfaces.count))
            owned.append(UnsafeMutableRawPointer(interfaces))
            for (k, interface) in spec.interfaces.enumerated() {
                let endpoints = UnsafeMutablePointer<libusb_endpoint_descriptor>.allocate(capacity: max(1, interface.endpoints.count))
                owned.append(UnsafeMutableRawPointer(endpoints))
                for (e, ep) in interface.endpoints.enumerated() {
                    (endpoints + e).initialize(to: libusb_endpoint_descriptor(
                        bLength: 7, bDescriptorType: 5, bEndpointAddress: ep.address, bmAttributes: ep.attributes,
                        wMaxPacketSize: ep.maxPacketSize, bInterval: 0, bRefresh: 0, bSynchAddress: 0,
                        extra: nil, extra_length: 0))
                }
                let alt = UnsafeMutablePointer<libusb_interface_descriptor>.allocate(capacity: 1)
                owned.append(UnsafeMutableRawPointer(alt))
                alt.initialize(to: libusb_interface_descriptor(
                    bLength: 9, bDescriptorType: 4, bInterfaceNumber: interface.number, bAlternateSetting: 0,
                    bNumEndpoints: UInt8(interface.endpoints.count), bInterfaceClass: 0xFF, bInterfaceSubClass: 0,
                    bInterfaceProtocol: 0, iInterface: 0, endpoint: UnsafePointer(endpoints), extra: nil, extra_length: 0))
                (interfaces + k).initialize(to: libusb_interface(altsetting: UnsafePointer(alt), num_altsetting: 1))
            }
            let c = UnsafeMutablePointer<libusb_config_descriptor>.allocate(capacity: 1)
            c.initialize(to: libusb_config_descriptor(
                bLength: 9, bDescriptorType: 2, wTotalLength: 0, bNumInterfaces: UInt8(spec.interfaces.count),
                bConfigurationValue: 1, iConfiguration: 0, bmAttributes: 0x80, MaxPower: 50,
                interface: UnsafePointer(interfaces), extra: nil, extra_length: 0))
            s.configs[Int(bitPattern: c)] = owned
            config.pointee = c
            return 0
        }
    }

    func freeConfigDescriptor(_ config: UnsafeMutablePointer<libusb_config_descriptor>) {
        let owned: [UnsafeMutableRawPointer]? = locked { s in
            _ = enter(&s, "libusb_free_config_descriptor")
            guard let owned = s.configs.removeValue(forKey: Int(bitPattern: config)) else {
                s.violations.append("libusb_free_config_descriptor of a descriptor not handed out")
                return nil
            }
            return owned
        }
        guard let owned else { return }
        for p in owned { p.deallocate() }
        config.deallocate()
    }

    func open(_ device: OpaquePointer, _ handle: UnsafeMutablePointer<OpaquePointer?>) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_open") { return e }
            guard let i = deviceIndex(s, device), s.devices[i].present else { return LibUSBCode.noDevice }
            if s.devices[i].spec.openError != 0 { return s.devices[i].spec.openError }
            s.nextToken += 0x100
            s.handles[s.nextToken] = i
            s.handleDevice[s.nextToken] = s.devices[i].token
            handle.pointee = Self.pointer(s.nextToken)
            return 0
        }
    }

    func close(_ handle: OpaquePointer) {
        locked { s in
            _ = enter(&s, "libusb_close")
            let h = Self.token(handle)
            if s.pending.contains(where: { $0.pointee.dev_handle == handle }) {
                s.violations.append("libusb_close with transfers in flight")
            }
            if s.claimed.contains(where: { $0[0] == h }) {
                s.violations.append("libusb_close with an interface still claimed")
            }
            if s.handles.removeValue(forKey: h) == nil { s.violations.append("libusb_close of a handle not open") }
            s.handleDevice.removeValue(forKey: h)
        }
    }

    func getDevice(_ handle: OpaquePointer) -> OpaquePointer? {
        locked { s in s.handleDevice[Self.token(handle)].map(Self.pointer) }
    }

    /// Which device a handle is open on, if it is still plugged in.
    private func presentDevice(_ s: State, _ handle: OpaquePointer) -> Int? {
        let h = Self.token(handle)
        guard let i = s.handles[h], s.devices[i].present, s.devices[i].token == s.handleDevice[h] else { return nil }
        return i
    }

    func getStringDescriptorASCII(_ handle: OpaquePointer, _ index: UInt8, _ buffer: UnsafeMutablePointer<UInt8>, _ length: Int32) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_get_string_descriptor_ascii", [Int(index)]) { return e }
            guard let i = presentDevice(s, handle) else { return LibUSBCode.noDevice }
            guard index == 3, let serial = s.devices[i].spec.serialNumber else { return LibUSBCode.pipe }
            let bytes = Array(serial.utf8.prefix(Int(length) - 1))
            for (k, b) in bytes.enumerated() { buffer[k] = b }
            buffer[bytes.count] = 0
            return Int32(bytes.count)
        }
    }

    func kernelDriverActive(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_kernel_driver_active", [Int(interface)]) { return e }
            guard let i = presentDevice(s, handle) else { return LibUSBCode.noDevice }
            return s.devices[i].spec.kernelDriverActive ? 1 : 0
        }
    }

    func detachKernelDriver(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_detach_kernel_driver", [Int(interface)]) { return e }
            guard let i = presentDevice(s, handle) else { return LibUSBCode.noDevice }
            guard s.devices[i].spec.kernelDriverActive else { return LibUSBCode.notFound }
            s.devices[i].spec.kernelDriverActive = false
            return 0
        }
    }

    func attachKernelDriver(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_attach_kernel_driver", [Int(interface)]) { return e }
            guard let i = presentDevice(s, handle) else { return LibUSBCode.noDevice }
            s.devices[i].spec.kernelDriverActive = true
            return 0
        }
    }

    func claimInterface(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_claim_interface", [Int(interface)]) { return e }
            guard let i = presentDevice(s, handle) else { return LibUSBCode.noDevice }
            if s.devices[i].spec.kernelDriverActive { return LibUSBCode.busy }
            guard s.devices[i].spec.interfaces.contains(where: { Int32($0.number) == interface }) else { return LibUSBCode.notFound }
            s.claimed.insert([Self.token(handle), Int(interface)])
            return 0
        }
    }

    func releaseInterface(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        locked { s in
            let removed = s.claimed.remove([Self.token(handle), Int(interface)]) != nil
            if let e = enter(&s, "libusb_release_interface", [Int(interface)]) { return e }
            guard removed else { return LibUSBCode.notFound }
            return presentDevice(s, handle) == nil ? LibUSBCode.noDevice : 0
        }
    }

    func clearHalt(_ handle: OpaquePointer, _ endpoint: UInt8) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_clear_halt", [Int(endpoint)]) { return e }
            return presentDevice(s, handle) == nil ? LibUSBCode.noDevice : 0
        }
    }

    func allocTransfer(isoPackets: Int32) -> UnsafeMutablePointer<libusb_transfer>? {
        locked { s in
            if enter(&s, "libusb_alloc_transfer", [Int(isoPackets)]) != nil { return nil }
            let size = MemoryLayout<libusb_transfer>.stride + Int(isoPackets) * MemoryLayout<libusb_iso_packet_descriptor>.stride
            let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<libusb_transfer>.alignment)
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            let t = raw.bindMemory(to: libusb_transfer.self, capacity: 1)
            s.live.insert(Int(bitPattern: t))
            return t
        }
    }

    func freeTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) {
        let ok: Bool = locked { s in
            _ = enter(&s, "libusb_free_transfer")
            if s.pending.contains(transfer) || s.completions.contains(where: { $0.transfer == transfer }) {
                s.violations.append("libusb_free_transfer of a transfer in flight")
                return false
            }
            // libusb_free_transfer logs through transfer->dev_handle->dev->ctx: a closed handle
            // left there is a use after free.
            if let h = transfer.pointee.dev_handle, s.handles[Self.token(h)] == nil {
                s.violations.append("libusb_free_transfer of a transfer whose dev_handle was closed")
            }
            s.submittedOnce.remove(Int(bitPattern: transfer))
            return s.live.remove(Int(bitPattern: transfer)) != nil
        }
        if ok { UnsafeMutableRawPointer(transfer).deallocate() }
    }

    func submitTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) -> Int32 {
        locked { s in
            let t = transfer.pointee
            if let e = enter(&s, "libusb_submit_transfer", [Int(t.endpoint), Int(t.length), Int(t.flags), Int(t.timeout)]) { return e }
            guard s.live.contains(Int(bitPattern: transfer)) else {
                s.violations.append("libusb_submit_transfer of a freed transfer")
                return LibUSBCode.invalidParam
            }
            if s.pending.contains(transfer) || s.completions.contains(where: { $0.transfer == transfer }) {
                s.violations.append("libusb_submit_transfer of a transfer already in flight")
                return LibUSBCode.busy
            }
            guard let h = t.dev_handle, s.handles[Self.token(h)] != nil else {
                s.violations.append("libusb_submit_transfer on a closed handle")
                return LibUSBCode.invalidParam
            }
            guard presentDevice(s, h) != nil else { return LibUSBCode.noDevice }
            let isIn = t.endpoint & 0x80 != 0
            var bytes: [UInt8] = []
            if !isIn, t.length > 0, let b = t.buffer { bytes = Array(UnsafeBufferPointer(start: b, count: Int(t.length))) }
            s.submittedOnce.insert(Int(bitPattern: transfer))
            s.submissions.append(Submission(endpoint: t.endpoint, length: Int(t.length), flags: t.flags, timeout: t.timeout, bytes: bytes))
            if !isIn && s.autoCompleteOut {
                s.completions.append(Completion(transfer: transfer, status: LibUSBCode.transferCompleted, data: [], actual: Int(t.length)))
            } else {
                s.pending.append(transfer)
            }
            return 0
        }
    }

    func cancelTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_cancel_transfer", [Int(transfer.pointee.endpoint)]) { return e }
            guard let i = s.pending.firstIndex(of: transfer) else { return LibUSBCode.notFound }
            s.pending.remove(at: i)
            s.completions.append(Completion(transfer: transfer, status: LibUSBCode.transferCancelled, data: [], actual: 0))
            return 0
        }
    }

    /// Runs the completions and hotplug events due, as libusb does inside event handling; waits
    /// up to `timeout` for one if none is due (or until interrupted).
    func handleEventsTimeoutCompleted(_ context: OpaquePointer, _ timeout: UnsafeMutablePointer<timeval>) -> Int32 {
        let waitMicroseconds = Int(timeout.pointee.tv_sec) * 1_000_000 + Int(timeout.pointee.tv_usec)
        var waited = 0
        while true {
            let (completions, events, hotplugs, interrupted) = locked { s in
                let c = s.completions
                let e = s.hotplugEvents
                let i = s.interrupted
                s.completions.removeAll()
                s.hotplugEvents.removeAll()
                s.interrupted = false
                return (c, e, s.hotplugs, i)
            }
            for c in completions {
                let t = c.transfer
                t.pointee.status = libusb_transfer_status(rawValue: c.status)
                t.pointee.actual_length = Int32(c.actual)
                if !c.data.isEmpty, let b = t.pointee.buffer {
                    for (k, byte) in c.data.enumerated() { b[k] = byte }
                }
                t.pointee.callback?(t)
            }
            for e in events {
                for (_, h) in hotplugs where h.events & e.event != 0 {
                    _ = h.callback(context, Self.pointer(e.device), libusb_hotplug_event(rawValue: UInt32(e.event)), h.userData)
                }
            }
            if !completions.isEmpty || !events.isEmpty || interrupted || waited >= waitMicroseconds { return 0 }
            usleep(100)
            waited += 100
        }
    }

    func interruptEventHandler(_ context: OpaquePointer) {
        locked { s in
            _ = enter(&s, "libusb_interrupt_event_handler")
            s.interrupted = true
        }
    }

    func hotplugRegisterCallback(
        _ context: OpaquePointer, events: Int32, vendorID: Int32, productID: Int32,
        _ callback: libusb_hotplug_callback_fn, _ userData: UnsafeMutableRawPointer?,
        _ handle: UnsafeMutablePointer<libusb_hotplug_callback_handle>
    ) -> Int32 {
        locked { s in
            if let e = enter(&s, "libusb_hotplug_register_callback", [Int(events), Int(vendorID), Int(productID)]) { return e }
            let id = s.nextHotplug
            s.nextHotplug += 1
            s.hotplugs[id] = Hotplug(callback: callback, userData: userData, events: events, vendorID: vendorID, productID: productID)
            handle.pointee = id
            return 0
        }
    }

    func hotplugDeregisterCallback(_ context: OpaquePointer, _ handle: libusb_hotplug_callback_handle) {
        locked { s in
            _ = enter(&s, "libusb_hotplug_deregister_callback", [Int(handle)])
            if s.hotplugs.removeValue(forKey: handle) == nil {
                s.violations.append("libusb_hotplug_deregister_callback of a callback not registered")
            }
        }
    }
}
#endif
