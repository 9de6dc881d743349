import Foundation
import Testing
@testable import StippleCLI
import StippleHardware
import StippleLinux

@Suite("stipple devices")
struct DevicesCommandTests {
    static var hasChips: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []).contains { $0.hasPrefix("gpiochip") }
    }

    /// The build machine has no GPIO chip: that is a normal answer, not an error.
    @Test(.enabled(if: !hasChips, "this machine has GPIO chips"))
    func noChipsExitsZeroAndSaysSo() {
        let r = runCLI(["devices"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines == ["GPIO", "  no GPIO chips found (this machine has no /dev/gpiochip*)", "",
                               "USB", "  no machine on USB (looked for 1209:5702 linear-l2, 1209:5701 rotary-r1)",
                               "  not on USB: direct-d1 (drive = \"gpio\": driven straight from the GPIO lines by `stipple run`)"])
    }

    @Test(.enabled(if: hasChips, "this machine has no GPIO chip"))
    func everyChipDeviceIsListedOrExplained() throws {
        let r = runCLI(["devices"])
        let devices = try FileManager.default.contentsOfDirectory(atPath: "/dev").filter { $0.hasPrefix("gpiochip") }
        for device in devices { #expect(r.out.contains("/dev/\(device)")) }
        #expect(r.status == (r.err.isEmpty ? 0 : 1))
    }

    @Test(arguments: [
        (["devices", "--round-trips", "100"], "--round-trips needs --identify"),
        (["devices", "--identify", "--round-trips=-5"], "--round-trips -5: give 1 to 1000000"),
        (["devices", "--identify", "--round-trips", "2000000"], "--round-trips 2000000: give 1 to 1000000"),
    ])
    func roundTripsAreAskedOfAnIdentifiedMachineOnly(args: [String], message: String) {
        let r = runCLI(args)
        #expect(r.status == 2)
        #expect(r.err.contains(message), "\(r.err)")
    }

    @Test func aChipIsShownWithEveryLineAndWhoHoldsIt() {
        let inventory = GPIOChipInventory(chips: [
            GPIOChipInfo(name: "gpiochip0", label: "pinctrl-bcm2711", device: "/dev/gpiochip0", lines: [
                GPIOLineInfo(offset: 0, name: "ID_SDA", consumer: nil, direction: .input, activeLow: false, used: false),
                GPIOLineInfo(offset: 1, name: nil, consumer: "gpio-keys", direction: .input, activeLow: true, used: true),
                GPIOLineInfo(offset: 2, name: "ENABLE", consumer: "stipple", direction: .output, activeLow: false, used: true),
            ]),
        ], failures: [])
        let (status, out, err) = render(inventory)
        #expect(status == .success)
        #expect(err.isEmpty)
        #expect(out == [
            "GPIO",
            "  gpiochip0 [pinctrl-bcm2711] /dev/gpiochip0: 3 lines, 2 in use",
            "    LINE  NAME    DIRECTION  ACTIVE  USED BY",
            "    0     ID_SDA  input      high    -",
            "    1     -       input      low     gpio-keys",
            "    2     ENABLE  output     high    stipple",
        ])
    }

    @Test func aChipWithoutPermissionIsExplainedOnStderrAndExitsOne() {
        let advice = "no permission on /dev/gpiochip0: add the user to group stipple and install Hardware/udev/60-stipple.rules"
        let inventory = GPIOChipInventory(chips: [], failures: [
            .init(device: "/dev/gpiochip0",
                  error: GPIOError(operation: "open chip gpiochip0", errno: EACCES, advice: advice)),
        ])
        let (status, out, err) = render(inventory)
        #expect(status == .invalidInput)
        #expect(out == ["GPIO", "  /dev/gpiochip0: not readable (see the error)"])
        #expect(err == ["error: GPIO open chip gpiochip0 failed (errno \(EACCES)): \(advice)"])
    }

    private func render(_ inventory: GPIOChipInventory) -> (StippleCLI.ExitStatus, [String], [String]) {
        let box = Lines()
        let ctx = CLIContext(environment: [:], out: { box.out.append($0) }, err: { box.err.append($0) })
        let status = gpioSection(inventory, in: ctx)
        let out = box.out.joined().split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        let err = box.err.joined().split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        return (status, Array(out), Array(err))
    }

    private final class Lines: @unchecked Sendable {
        var out: [String] = []
        var err: [String] = []
    }
}
