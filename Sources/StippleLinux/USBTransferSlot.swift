import CLibUSB
import Synchronization

/// One preallocated libusb transfer with its buffer, reused for the link's whole life: IN slots
/// are resubmitted from their own completion, OUT slots go back to the pool when theirs ends.
///
/// `inFlight` is the slot's ownership: true from just before submission until its completion
/// callback (on the event thread) has finished with the buffer and will not resubmit. Only the
/// side that sees it false may touch the transfer's fields or buffer.
final class USBTransferSlot: @unchecked Sendable {
    let transfer: UnsafeMutablePointer<libusb_transfer>
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    let isIn: Bool
    let inFlight = Atomic<Bool>(false)
    /// The link whose callbacks run for this slot; set once, before the first submission.
    var owner: Unmanaged<USBDeviceLink>?

    init(transfer: UnsafeMutablePointer<libusb_transfer>, capacity: Int, isIn: Bool) {
        self.transfer = transfer
        self.capacity = capacity
        self.isIn = isIn
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
    }

    deinit { buffer.deallocate() }
}
