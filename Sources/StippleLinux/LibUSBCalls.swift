#if canImport(Glibc)
import Glibc
#endif
import CLibUSB

/// Every libusb call Stipple makes, one thin shim per C function, in one file: reviewing how the
/// project uses libusb means reading this file, and tests can watch or replace any call.
///
/// Modelled on apple/swift-system's `Internals/Syscalls.swift` + `Mocking.swift`: in debug builds
/// each shim first asks its `LibUSBMockingDriver`, which records the call and may answer with an
/// injected error or a simulated bus instead of libusb. Unlike swift-system the driver is not
/// thread-local but travels with the value: the USB link calls libusb from its own event thread
/// as well as from the caller's, and both must see the same mock. Release builds compile the
/// mock out, so a shim is the C call and nothing else.
struct LibUSBCalls: @unchecked Sendable {
    // @unchecked: the driver is a class whose state is behind its own lock.

    #if DEBUG
    let driver: LibUSBMockingDriver?
    init(driver: LibUSBMockingDriver?) { self.driver = driver }
    #else
    init() {}
    #endif

    /// The real library.
    static var system: LibUSBCalls {
        #if DEBUG
        LibUSBCalls(driver: nil)
        #else
        LibUSBCalls()
        #endif
    }

    // MARK: Library and context

    func initContext(_ context: UnsafeMutablePointer<OpaquePointer?>) -> Int32 {
        #if DEBUG
        if let driver { return driver.initContext(context) }
        #endif
        return libusb_init(context)
    }

    func exitContext(_ context: OpaquePointer) {
        #if DEBUG
        if let driver { return driver.exitContext(context) }
        #endif
        libusb_exit(context)
    }

    func hasCapability(_ capability: libusb_capability) -> Bool {
        #if DEBUG
        if let driver { return driver.hasCapability(capability) }
        #endif
        return libusb_has_capability(capability.rawValue) != 0
    }

    /// Never mocked: a pure table lookup in libusb.
    func errorName(_ code: Int32) -> String {
        String(cString: libusb_error_name(code))
    }

    /// Never mocked: the linked library's own version.
    func version() -> String {
        guard let v = libusb_get_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.micro)"
    }

    // MARK: Devices

    func getDeviceList(_ context: OpaquePointer, _ list: UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>) -> Int {
        #if DEBUG
        if let driver { return driver.getDeviceList(context, list) }
        #endif
        return libusb_get_device_list(context, list)
    }

    func freeDeviceList(_ list: UnsafeMutablePointer<OpaquePointer?>, unreferenceDevices: Bool) {
        #if DEBUG
        if let driver { return driver.freeDeviceList(list, unreferenceDevices: unreferenceDevices) }
        #endif
        libusb_free_device_list(list, unreferenceDevices ? 1 : 0)
    }

    func getDeviceDescriptor(_ device: OpaquePointer, _ descriptor: UnsafeMutablePointer<libusb_device_descriptor>) -> Int32 {
        #if DEBUG
        if let driver { return driver.getDeviceDescriptor(device, descriptor) }
        #endif
        return libusb_get_device_descriptor(device, descriptor)
    }

    func getBusNumber(_ device: OpaquePointer) -> UInt8 {
        #if DEBUG
        if let driver { return driver.getBusNumber(device) }
        #endif
        return libusb_get_bus_number(device)
    }

    func getDeviceAddress(_ device: OpaquePointer) -> UInt8 {
        #if DEBUG
        if let driver { return driver.getDeviceAddress(device) }
        #endif
        return libusb_get_device_address(device)
    }

    func getDeviceSpeed(_ device: OpaquePointer) -> Int32 {
        #if DEBUG
        if let driver { return driver.getDeviceSpeed(device) }
        #endif
        return libusb_get_device_speed(device)
    }

    func getActiveConfigDescriptor(_ device: OpaquePointer, _ config: UnsafeMutablePointer<UnsafeMutablePointer<libusb_config_descriptor>?>) -> Int32 {
        #if DEBUG
        if let driver { return driver.getActiveConfigDescriptor(device, config) }
        #endif
        return libusb_get_active_config_descriptor(device, config)
    }

    func freeConfigDescriptor(_ config: UnsafeMutablePointer<libusb_config_descriptor>) {
        #if DEBUG
        if let driver { return driver.freeConfigDescriptor(config) }
        #endif
        libusb_free_config_descriptor(config)
    }

    // MARK: Handles

    func open(_ device: OpaquePointer, _ handle: UnsafeMutablePointer<OpaquePointer?>) -> Int32 {
        #if DEBUG
        if let driver { return driver.open(device, handle) }
        #endif
        return libusb_open(device, handle)
    }

    func close(_ handle: OpaquePointer) {
        #if DEBUG
        if let driver { return driver.close(handle) }
        #endif
        libusb_close(handle)
    }

    func getDevice(_ handle: OpaquePointer) -> OpaquePointer? {
        #if DEBUG
        if let driver { return driver.getDevice(handle) }
        #endif
        return libusb_get_device(handle)
    }

    /// Returns the string's length, or a libusb error.
    func getStringDescriptorASCII(_ handle: OpaquePointer, _ index: UInt8, _ buffer: UnsafeMutablePointer<UInt8>, _ length: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.getStringDescriptorASCII(handle, index, buffer, length) }
        #endif
        return libusb_get_string_descriptor_ascii(handle, index, buffer, length)
    }

    /// 1 if a kernel driver holds the interface, 0 if not, or a libusb error.
    func kernelDriverActive(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.kernelDriverActive(handle, interface) }
        #endif
        return libusb_kernel_driver_active(handle, interface)
    }

    func detachKernelDriver(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.detachKernelDriver(handle, interface) }
        #endif
        return libusb_detach_kernel_driver(handle, interface)
    }

    func attachKernelDriver(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.attachKernelDriver(handle, interface) }
        #endif
        return libusb_attach_kernel_driver(handle, interface)
    }

    func claimInterface(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.claimInterface(handle, interface) }
        #endif
        return libusb_claim_interface(handle, interface)
    }

    func releaseInterface(_ handle: OpaquePointer, _ interface: Int32) -> Int32 {
        #if DEBUG
        if let driver { return driver.releaseInterface(handle, interface) }
        #endif
        return libusb_release_interface(handle, interface)
    }

    /// A synchronous usbfs ioctl, safe to call from a transfer callback.
    func clearHalt(_ handle: OpaquePointer, _ endpoint: UInt8) -> Int32 {
        #if DEBUG
        if let driver { return driver.clearHalt(handle, endpoint) }
        #endif
        return libusb_clear_halt(handle, endpoint)
    }

    // MARK: Asynchronous transfers

    func allocTransfer(isoPackets: Int32) -> UnsafeMutablePointer<libusb_transfer>? {
        #if DEBUG
        if let driver { return driver.allocTransfer(isoPackets: isoPackets) }
        #endif
        return libusb_alloc_transfer(isoPackets)
    }

    func freeTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) {
        #if DEBUG
        if let driver { return driver.freeTransfer(transfer) }
        #endif
        libusb_free_transfer(transfer)
    }

    func submitTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) -> Int32 {
        #if DEBUG
        if let driver { return driver.submitTransfer(transfer) }
        #endif
        return libusb_submit_transfer(transfer)
    }

    func cancelTransfer(_ transfer: UnsafeMutablePointer<libusb_transfer>) -> Int32 {
        #if DEBUG
        if let driver { return driver.cancelTransfer(transfer) }
        #endif
        return libusb_cancel_transfer(transfer)
    }

    // MARK: Events

    func handleEventsTimeoutCompleted(_ context: OpaquePointer, _ timeout: UnsafeMutablePointer<timeval>) -> Int32 {
        #if DEBUG
        if let driver { return driver.handleEventsTimeoutCompleted(context, timeout) }
        #endif
        return libusb_handle_events_timeout_completed(context, timeout, nil)
    }

    func interruptEventHandler(_ context: OpaquePointer) {
        #if DEBUG
        if let driver { return driver.interruptEventHandler(context) }
        #endif
        libusb_interrupt_event_handler(context)
    }

    func hotplugRegisterCallback(
        _ context: OpaquePointer, events: Int32, vendorID: Int32, productID: Int32,
        _ callback: libusb_hotplug_callback_fn, _ userData: UnsafeMutableRawPointer?,
        _ handle: UnsafeMutablePointer<libusb_hotplug_callback_handle>
    ) -> Int32 {
        #if DEBUG
        if let driver {
            return driver.hotplugRegisterCallback(context, events: events, vendorID: vendorID, productID: productID,
                                                  callback, userData, handle)
        }
        #endif
        return libusb_hotplug_register_callback(context, events, 0, vendorID, productID, LIBUSB_HOTPLUG_MATCH_ANY,
                                                callback, userData, handle)
    }

    func hotplugDeregisterCallback(_ context: OpaquePointer, _ handle: libusb_hotplug_callback_handle) {
        #if DEBUG
        if let driver { return driver.hotplugDeregisterCallback(context, handle) }
        #endif
        libusb_hotplug_deregister_callback(context, handle)
    }
}
