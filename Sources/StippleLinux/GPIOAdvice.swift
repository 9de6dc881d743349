#if canImport(Glibc)
import Glibc
#endif

/// The `advice` text of a `GPIOError`: what an errno from libgpiod means at that step, in the
/// technician's terms, and what to do. The CLI prints it as is, so each says both.
enum GPIOAdvice {
    static let udevRules = "Hardware/udev/60-stipple.rules"

    /// Opening a chip (`device` is its /dev path, or a label or number when looked up).
    static func openChip(errno code: Int32, chip: String, device: String) -> String {
        switch code {
        case EACCES, EPERM:
            "no permission on \(device): add the user to group stipple and install \(udevRules)"
        case ENOENT:
            "no such chip: \(chip) (no \(device)); check the machine file's gpio.chip, `stipple devices` lists the chips"
        case ENODEV, ENOTTY:
            "\(device) is not a GPIO character device; check the machine file's gpio.chip"
        default:
            other(code)
        }
    }

    /// Getting a line by offset.
    static func getLine(errno code: Int32, offset: Int, chip: String, lineCount: Int?) -> String {
        switch code {
        case EINVAL:
            if let lineCount {
                "\(chip) has no line \(offset) (it has \(lineCount) lines, 0-\(max(lineCount - 1, 0))); check the machine file's offsets"
            } else {
                "\(chip) has no line \(offset); check the machine file's offsets"
            }
        default:
            other(code)
        }
    }

    /// Finding a line by name.
    static func findLine(errno code: Int32, name: String, chip: String) -> String {
        switch code {
        case ENOENT:
            "no line named \"\(name)\" on \(chip); `stipple devices` lists the line names"
        default:
            other(code)
        }
    }

    /// Requesting a line (`consumer`: who holds it, as the kernel reports it).
    static func requestLine(errno code: Int32, offset: Int, consumer: String?, device: String) -> String {
        switch code {
        case EBUSY:
            if let consumer, !consumer.isEmpty {
                "line \(offset) is used by \"\(consumer)\"; stop the other program"
            } else {
                "line \(offset) is used by another program or a kernel driver; stop the other program"
            }
        case EACCES, EPERM:
            "no permission on \(device): add the user to group stipple and install \(udevRules)"
        default:
            other(code)
        }
    }

    /// A failure of a line already requested (a read, a write, an event read or poll).
    static func lineIO(errno code: Int32) -> String {
        switch code {
        case ENODEV:
            "the GPIO chip is gone (unplugged or its driver unloaded); restart once it is back"
        default:
            other(code)
        }
    }

    static func other(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
