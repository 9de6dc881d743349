import Foundation
import Testing

@Suite("stipple version")
struct VersionCommandTests {
    @Test func versionPrintsStippleAndTheLinkedCLibraryVersions() throws {
        let r = runCLI(["version"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.count == 3)
        #expect(r.outLines.first?.hasPrefix("stipple 0.") == true)
        #expect(r.outLines.contains("libgpiod 1.6.3"))
        let usb = try #require(r.outLines.first { $0.hasPrefix("libusb ") })
        let parts = usb.dropFirst("libusb ".count).split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil }, "libusb version is not N.N.N: \(usb)")
        #expect(usb.hasPrefix("libusb 1."))
    }
}
