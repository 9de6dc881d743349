/// Limits the device enforces again, independently of the host (`set_config` / `config`).
public struct DeviceConfig: Sendable, Hashable {
    public var depthMinMicrometres: UInt32
    public var depthMaxMicrometres: UInt32
    public var rateMinMillihertz: UInt32
    public var rateMaxMillihertz: UInt32
    public var depthSlewMicrometresPerSecond: UInt32
    public var heartbeatDeadlineMilliseconds: UInt16
    public var telemetryHertz: UInt16

    public init(depthMinMicrometres: UInt32, depthMaxMicrometres: UInt32, rateMinMillihertz: UInt32,
                rateMaxMillihertz: UInt32, depthSlewMicrometresPerSecond: UInt32,
                heartbeatDeadlineMilliseconds: UInt16, telemetryHertz: UInt16) {
        self.depthMinMicrometres = depthMinMicrometres
        self.depthMaxMicrometres = depthMaxMicrometres
        self.rateMinMillihertz = rateMinMillihertz
        self.rateMaxMillihertz = rateMaxMillihertz
        self.depthSlewMicrometresPerSecond = depthSlewMicrometresPerSecond
        self.heartbeatDeadlineMilliseconds = heartbeatDeadlineMilliseconds
        self.telemetryHertz = telemetryHertz
    }
}

/// Depth calibration as stored on the device.
public struct DeviceCalibration: Sendable, Hashable {
    public var offsetMicrometres: Int32
    /// 1,000,000 = a scale of exactly 1.
    public var scalePPM: UInt32
    public var quadraticPPM: Int32
    public var cartridgeOffsetMicrometres: Int32
    public var expiresUnixSeconds: UInt64

    public init(offsetMicrometres: Int32, scalePPM: UInt32, quadraticPPM: Int32,
                cartridgeOffsetMicrometres: Int32, expiresUnixSeconds: UInt64) {
        self.offsetMicrometres = offsetMicrometres
        self.scalePPM = scalePPM
        self.quadraticPPM = quadraticPPM
        self.cartridgeOffsetMicrometres = cartridgeOffsetMicrometres
        self.expiresUnixSeconds = expiresUnixSeconds
    }
}

/// What the device reports about itself at identify.
public struct IdentifyReply: Sendable, Hashable {
    public var protocolVersion: UInt16
    public var tableHash: UInt32
    public var nonce: UInt32
    /// major << 16 | minor << 8 | patch
    public var firmwareVersion: UInt32
    public var serial: UInt64
    public var tickHertz: UInt32
    public var maxWindow: UInt8

    public init(protocolVersion: UInt16, tableHash: UInt32, nonce: UInt32, firmwareVersion: UInt32,
                serial: UInt64, tickHertz: UInt32, maxWindow: UInt8) {
        self.protocolVersion = protocolVersion
        self.tableHash = tableHash
        self.nonce = nonce
        self.firmwareVersion = firmwareVersion
        self.serial = serial
        self.tickHertz = tickHertz
        self.maxWindow = maxWindow
    }
}

/// One telemetry sample from the device.
public struct Telemetry: Sendable, Hashable {
    public var deviceTicks: UInt64
    public var rateMillihertz: UInt32
    public var depthMicrometres: Int32
    public var motorCurrentMilliamperes: UInt16
    public var strokeCount: UInt32
    public var stateFlags: UInt16

    public init(deviceTicks: UInt64, rateMillihertz: UInt32, depthMicrometres: Int32,
                motorCurrentMilliamperes: UInt16, strokeCount: UInt32, stateFlags: UInt16) {
        self.deviceTicks = deviceTicks
        self.rateMillihertz = rateMillihertz
        self.depthMicrometres = depthMicrometres
        self.motorCurrentMilliamperes = motorCurrentMilliamperes
        self.strokeCount = strokeCount
        self.stateFlags = stateFlags
    }
}

/// Every message of protocol version 1 (Firmware-Protocol/messages.toml), typed.
public enum Message: Sendable, Hashable {
    case identify(protocolVersion: UInt16, tableHash: UInt32, nonce: UInt32)
    case identifyReply(IdentifyReply)
    case getConfig
    case setConfig(DeviceConfig)
    case config(DeviceConfig)
    case arm
    case disarm
    case setStrokeRate(rateMillihertz: UInt32, rampMilliseconds: UInt16)
    case setDepth(depthMicrometres: UInt32, slewMicrometresPerSecond: UInt32)
    case start
    case stop
    case retract
    case heartbeat(counter: UInt32)
    case estop
    case resetFault(code: UInt16)
    case readCalibration
    case writeCalibration(DeviceCalibration)
    case calibration(DeviceCalibration)
    case getCartridge
    case cartridgeInfo(cartridgeID: UInt64, lot: UInt32, useCount: UInt16, present: UInt8)
    case telemetry(Telemetry)
    case faultReport(deviceTicks: UInt64, code: UInt16, detail: Int32)
    case logMessage(level: UInt8, text: String)
    case clockRequest(nonce: UInt32)
    case clockReply(nonce: UInt32, deviceTicks: UInt64)
    case commandResult(commandID: UInt8, status: UInt16, detail: Int32)

    public var id: UInt8 {
        switch self {
        case .identify: 0x01
        case .identifyReply: 0x02
        case .getConfig: 0x03
        case .setConfig: 0x04
        case .config: 0x05
        case .arm: 0x06
        case .disarm: 0x07
        case .setStrokeRate: 0x08
        case .setDepth: 0x09
        case .start: 0x0A
        case .stop: 0x0B
        case .retract: 0x0C
        case .heartbeat: 0x0D
        case .estop: 0x0E
        case .resetFault: 0x0F
        case .readCalibration: 0x10
        case .writeCalibration: 0x11
        case .calibration: 0x12
        case .getCartridge: 0x13
        case .cartridgeInfo: 0x14
        case .telemetry: 0x15
        case .faultReport: 0x16
        case .logMessage: 0x17
        case .clockRequest: 0x18
        case .clockReply: 0x19
        case .commandResult: 0x1A
        }
    }
}
