#if DEBUG
import StippleModel
@testable import StippleLinux

/// A Raspberry-Pi-like fake kernel for the libgpiod mocking driver: the SoC's 58-line chip and
/// the 8-line firmware expander.
enum FakeGPIOWorld {
    static func driver() -> GpiodMockingDriver {
        GpiodMockingDriver(chips: [
            .init(name: "gpiochip0", label: "pinctrl-bcm2711", lineCount: 58),
            .init(name: "gpiochip1", label: "raspberrypi-exp-gpio", lineCount: 8),
        ])
    }

    /// A shipped machine file, from the files built into StippleModel.
    static func machine(_ name: String) throws -> MachineSpec {
        try HardwareCatalog(layers: [.embedded]).machine(named: name).spec
    }
}
#endif
