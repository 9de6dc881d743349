/// libusb's return codes and transfer statuses under the names libusb.h gives them, so an error
/// message can say `LIBUSB_ERROR_ACCESS` and a test can check the mapping without libusb.
enum LibUSBCode {
    static let success: Int32 = 0
    static let io: Int32 = -1
    static let invalidParam: Int32 = -2
    static let access: Int32 = -3
    static let noDevice: Int32 = -4
    static let notFound: Int32 = -5
    static let busy: Int32 = -6
    static let timeout: Int32 = -7
    static let overflow: Int32 = -8
    static let pipe: Int32 = -9
    static let interrupted: Int32 = -10
    static let noMemory: Int32 = -11
    static let notSupported: Int32 = -12
    static let other: Int32 = -99

    /// Every error code, as libusb_error_name spells it.
    static let errorNames: [Int32: String] = [
        success: "LIBUSB_SUCCESS",
        io: "LIBUSB_ERROR_IO",
        invalidParam: "LIBUSB_ERROR_INVALID_PARAM",
        access: "LIBUSB_ERROR_ACCESS",
        noDevice: "LIBUSB_ERROR_NO_DEVICE",
        notFound: "LIBUSB_ERROR_NOT_FOUND",
        busy: "LIBUSB_ERROR_BUSY",
        timeout: "LIBUSB_ERROR_TIMEOUT",
        overflow: "LIBUSB_ERROR_OVERFLOW",
        pipe: "LIBUSB_ERROR_PIPE",
        interrupted: "LIBUSB_ERROR_INTERRUPTED",
        noMemory: "LIBUSB_ERROR_NO_MEM",
        notSupported: "LIBUSB_ERROR_NOT_SUPPORTED",
        other: "LIBUSB_ERROR_OTHER",
    ]

    /// The name of a libusb error code; an unknown code is shown as a number.
    static func name(_ code: Int32) -> String {
        errorNames[code] ?? "libusb error \(code)"
    }

    // enum libusb_transfer_status
    static let transferCompleted: UInt32 = 0
    static let transferError: UInt32 = 1
    static let transferTimedOut: UInt32 = 2
    static let transferCancelled: UInt32 = 3
    static let transferStall: UInt32 = 4
    static let transferNoDevice: UInt32 = 5
    static let transferOverflow: UInt32 = 6

    static let transferStatusNames: [UInt32: String] = [
        transferCompleted: "LIBUSB_TRANSFER_COMPLETED",
        transferError: "LIBUSB_TRANSFER_ERROR",
        transferTimedOut: "LIBUSB_TRANSFER_TIMED_OUT",
        transferCancelled: "LIBUSB_TRANSFER_CANCELLED",
        transferStall: "LIBUSB_TRANSFER_STALL",
        transferNoDevice: "LIBUSB_TRANSFER_NO_DEVICE",
        transferOverflow: "LIBUSB_TRANSFER_OVERFLOW",
    ]

    static func transferStatusName(_ status: UInt32) -> String {
        transferStatusNames[status] ?? "transfer status \(status)"
    }

    // enum libusb_speed
    static func speedName(_ speed: Int32) -> String {
        switch speed {
        case 1: "low (1.5 Mbit/s)"
        case 2: "full (12 Mbit/s)"
        case 3: "high (480 Mbit/s)"
        case 4: "super (5 Gbit/s)"
        case 5: "super+ (10 Gbit/s)"
        default: "unknown"
        }
    }
}
