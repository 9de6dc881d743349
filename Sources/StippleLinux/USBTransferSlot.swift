import CLibUSB
import Synchronization

/// One transfer slot: a buffer allocated once for the link's whole life, and a libusb transfer
/// allocated per connection. IN slots are resubmitted from their own completion, OUT slots go
/// back to the pool when theirs ends.
///
/// The transfer is per connection because libusb ties a submitted transfer to its device (it
/// holds a reference that `libusb_free_transfer` drops): it must be freed before the context
/// the device belongs to is exited, and every reconnection makes a new context.
///
/// `inFlight` is the slot's ownership: true from just before submission until its completion
/// callback (on the event thread) has finished with the buffer and will not resubmit. Only the
/// side that sees it false may touch the transfer's fields or buffer.
final class USBTransferSlot: @unchecked Sendable {
    /// Set while connected (between `connect` and `disconnect`), nil otherwise.
    var transfer: UnsafeMutablePointer<libusb_transfer>?
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    let isIn: Bool
    let inFlight = Atomic<Bool>(false)
    /// The link whose callbacks run for this slot; set once, before the first submission.
    var owner: Unmanaged<USBDeviceLink>?

    init(capacity: Int, isIn: Bool) {
        self.capacity = capacity
        self.isIn = isIn
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
    }

    deinit { buffer.deallocate() }
}
