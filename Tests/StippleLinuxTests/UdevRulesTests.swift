import Foundation
import StippleModel
import Testing

/// Hardware/udev/60-stipple.rules must let group stipple open what Stipple opens.
@Suite("udev rules")
struct UdevRulesTests {
    static let rulesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Hardware/udev/60-stipple.rules").path

    static func rules() throws -> [String] {
        try String(contentsOfFile: rulesPath, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    @Test func gpioChipsGoToGroupStippleReadWrite() throws {
        let gpio = try Self.rules().filter { $0.contains("SUBSYSTEM==\"gpio\"") }
        #expect(gpio.count == 1)
        #expect(gpio.first?.contains("KERNEL==\"gpiochip[0-9]*\"") == true)
        #expect(gpio.first?.contains("GROUP=\"stipple\", MODE=\"0660\"") == true)
    }

    @Test func everyShippedMachinesUSBIdentityHasARule() throws {
        let rules = try Self.rules()
        let catalog = HardwareCatalog(layers: [.embedded])
        let machines = catalog.machines().compactMap { try? $0.result.get() }
        // A gpio machine has no controller board, so no USB device node to grant.
        let usbMachines = machines.compactMap { m in m.usb.map { (m, $0) } }
        #expect(usbMachines.count >= 2)
        #expect(machines.filter { $0.drive == .usb }.count == usbMachines.count)
        for (m, usb) in usbMachines {
            let vendor = String(format: "%04x", usb.vendorID), product = String(format: "%04x", usb.productID)
            let matching = rules.filter {
                $0.contains("SUBSYSTEM==\"usb\"") && $0.contains("ATTR{idVendor}==\"\(vendor)\"")
                    && $0.contains("ATTR{idProduct}==\"\(product)\"")
            }
            #expect(matching.count == 1, "no rule for \(m.name) (\(vendor):\(product))")
            #expect(matching.first?.contains("GROUP=\"stipple\", MODE=\"0660\"") == true)
        }
    }
}
