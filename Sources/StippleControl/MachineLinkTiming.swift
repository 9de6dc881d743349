import StippleModel
import StippleWire

extension LinkConfiguration {
    /// The link timing for a machine. The host declares the link down after twice the machine's
    /// heartbeat deadline of silence, and never sooner than 100 ms: by then the firmware has
    /// stopped the needle on its own deadline, and a shorter host timeout would only turn
    /// scheduling hiccups into faults. Shipped machines (30 and 50 ms deadlines) get 100 ms; a
    /// machine file that grants the host a slower deadline (the emulated test rig's 500 ms) gets a
    /// proportionally patient link. An unplugged cable is seen at once either way (the USB
    /// backend reports the device gone), not by this timeout.
    public static func forMachine(_ machine: MachineSpec) -> LinkConfiguration {
        var c = LinkConfiguration()
        c.linkTimeout = max(c.linkTimeout, 2 * UInt64(machine.heartbeatDeadlineMilliseconds) * 1_000_000)
        return c
    }
}
