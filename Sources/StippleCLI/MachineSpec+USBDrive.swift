import StippleModel

extension MachineSpec {
    /// The controller board of a usb machine, or the refusal every command that would drive,
    /// simulate or probe a machine gives a gpio one: those commands speak the firmware protocol,
    /// and a direct-drive machine has no firmware to speak to. Refusing here, before any line or
    /// device is opened, keeps them from pretending a gpio machine is a controller board.
    func usbDrive(for command: String) throws -> USBIdentity {
        guard drive == .usb, let usb else {
            throw CLIError("\(command) cannot drive \(name) (drive = \"\(drive)\"): direct drive is not implemented yet (issue 8), "
                           + "so this command has nothing to talk to. Use a machine with drive = \"usb\"")
        }
        return usb
    }
}
