import StippleModel

extension MachineSpec {
    /// The controller board of a usb machine, or the refusal a command that only speaks to a
    /// board (over USB, or as its simulator) gives a direct-drive one. Refusing here, before any
    /// line or device is opened, keeps them from pretending a gpio machine has a board.
    /// - Parameter why: what the command needs the board for, and what to use instead.
    func usbDrive(for command: String, why: String) throws -> USBIdentity {
        guard drive == .usb, let usb else {
            throw CLIError("\(command) cannot drive \(name): it is a direct-drive machine (drive = \"\(drive)\"), with no controller board; \(why)")
        }
        return usb
    }
}
