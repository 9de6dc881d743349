/// One physical machine as records name it. A firmware update makes a new identity, so each
/// pass names the firmware it ran under.
public struct MachineIdentity: Sendable, Hashable {
    public var model: String
    public var serial: String
    public var firmwareVersion: String

    public init(model: String, serial: String, firmwareVersion: String) {
        self.model = model
        self.serial = serial
        self.firmwareVersion = firmwareVersion
    }
}
