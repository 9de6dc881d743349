import Foundation
import Testing
@testable import StippleCLI
import StippleLinux
import StippleModel

/// `stipple devices`' USB section, rendered from a given inventory (the bus itself is the rig's).
@Suite("stipple devices: USB")
struct USBDevicesSectionTests {
    static func machines() throws -> [MachineSpec] {
        try HardwareCatalog(layers: [.embedded]).machines().map { try $0.result.get() }
    }

    static let r1 = USBInventory.Device(
        machines: ["rotary-r1"], models: ["Stipple R1 rotary pen, stepper depth stage"], vendorID: 0x1209, productID: 0x5701,
        serialNumber: "R1-0007", bus: 1, address: 4, speed: "high (480 Mbit/s)", problem: nil)

    @Test func eachMachineIsARowWithModelIdSerialAndBusPosition() throws {
        let (status, out, err) = try render(.success(USBInventory(devices: [Self.r1])))
        #expect(status == .success && err.isEmpty)
        #expect(out == [
            "USB",
            "  MACHINE    MODEL                                       ID         SERIAL   BUS  ADDRESS  SPEED",
            "  rotary-r1  Stipple R1 rotary pen, stepper depth stage  1209:5701  R1-0007  1    4        high (480 Mbit/s)",
        ])
    }

    @Test func aMachineWithoutPermissionIsListedAndExplainedOnStderrWithExitOne() throws {
        var l2 = Self.r1
        l2.machines = ["linear-l2"]
        l2.models = ["Stipple L2 linear-motor pen"]
        l2.productID = 0x5702
        l2.serialNumber = nil
        l2.address = 9
        l2.problem = "no permission to open it (LIBUSB_ERROR_ACCESS): install Hardware/udev/60-stipple.rules and add the user to group stipple"
        let (status, out, err) = try render(.success(USBInventory(devices: [Self.r1, l2])))
        #expect(status == .invalidInput)
        #expect(out.last?.hasPrefix("  linear-l2  Stipple L2 linear-motor pen") == true && out.last?.contains("1209:5702  ?") == true)
        #expect(err == ["error: machine 1209:5702 (bus 1 address 9): no permission to open it (LIBUSB_ERROR_ACCESS): install Hardware/udev/60-stipple.rules and add the user to group stipple"])
    }

    @Test func anEmptyBusSaysWhichIdsWereLookedFor() throws {
        let (status, out, err) = try render(.success(USBInventory(devices: [])))
        #expect(status == .success && err.isEmpty)
        #expect(out == ["USB", "  no machine on USB (looked for 1209:5702 linear-l2, 1209:5701 rotary-r1)"])
    }

    @Test func aBusThatCannotBeReadIsAnErrorWithTheLibusbName() throws {
        let (status, out, err) = try render(.failure(.libusb(operation: "listing devices", code: -1)))
        #expect(status == .invalidInput)
        #expect(out == ["USB", "  USB not readable (see the error)"])
        #expect(err == ["error: USB listing devices failed: LIBUSB_ERROR_IO. re-plug the machine; if it persists, check dmesg for USB errors"])
    }

    @Test func identifyAndAdoptEndpointsAreOptionsOfDevices() {
        let r = runCLI(["devices", "--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("--identify") && r.out.contains("--adopt-endpoints") && r.out.contains("--config-dir"))
    }

    private func render(_ scan: Result<USBInventory, USBLinkError>) throws -> (StippleCLI.ExitStatus, [String], [String]) {
        let box = Lines()
        let ctx = CLIContext(environment: [:], out: { box.out.append($0) }, err: { box.err.append($0) })
        let status = usbSection(scan, machines: try Self.machines(), identify: nil, in: ctx)
        let out = box.out.joined().split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        let err = box.err.joined().split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        return (status, Array(out), Array(err))
    }

    private final class Lines: @unchecked Sendable {
        var out: [String] = []
        var err: [String] = []
    }
}
