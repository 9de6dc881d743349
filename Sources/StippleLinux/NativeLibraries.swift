import CGPIOD
import CLibUSB

/// Versions of the C libraries this build links, reported by `stipple version` so a technician can
/// tell which libgpiod API (v1 here) and libusb the controller runs.
public enum NativeLibraries {
    public static var gpiodVersion: String {
        String(cString: gpiod_version_string())
    }

    public static var libusbVersion: String {
        LibUSBCalls.system.version()
    }
}
