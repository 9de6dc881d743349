/// Why the FunctionFS gadget could not start.
public enum FunctionFSGadgetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `DIR/ep0` could not be opened.
    case noEndpointZero(directory: String, errno: Int32)
    /// The kernel refused the descriptors or strings written to ep0.
    case refused(what: String, directory: String, errno: Int32)
    /// An endpoint file did not appear or could not be opened after the descriptors were taken.
    case endpoint(path: String, errno: Int32)
    /// A thread could not be started.
    case thread(errno: Int32)
    /// The machine is a direct-drive (gpio) one: it has no USB identity to present.
    case noUSBIdentity(machine: String)

    public var description: String {
        switch self {
        case .noEndpointZero(let dir, let e):
            switch e {
            case 2: // ENOENT
                "error: no FunctionFS ep0 (\(dir)/ep0): ENOENT. Mount functionfs there first (Hardware/rig/guest/usb-setup.sh VID PID \(dir))"
            case 16: // EBUSY
                "error: FunctionFS ep0 busy (\(dir)/ep0): EBUSY. Another daemon serves this function; stop it"
            case 13: // EACCES
                "error: no permission on FunctionFS (\(dir)/ep0): EACCES. Run as root, or mount functionfs with uid=/gid= for this user"
            default:
                "error: cannot open FunctionFS ep0 (\(dir)/ep0): errno \(e). Check that \(dir) is a functionfs mount"
            }
        case .refused(let what, let dir, let e):
            "error: FunctionFS refused the \(what) (\(dir)/ep0): errno \(e). The gadget may already be bound or its descriptors written: unbind it (echo '' > UDC), remount functionfs and start again"
        case .endpoint(let path, let e):
            "error: cannot open the endpoint file (\(path)): errno \(e). The descriptors were written but the kernel made no such endpoint"
        case .thread(let e):
            "error: cannot start the gadget's endpoint threads: errno \(e)"
        case .noUSBIdentity(let name):
            "error: no USB identity to present (machine \(name)): it has drive = \"gpio\", no controller board. Use a machine with drive = \"usb\""
        }
    }
}
