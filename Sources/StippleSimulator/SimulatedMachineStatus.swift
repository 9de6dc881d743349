extension SimulatedMachine {
    /// A snapshot of the machine for tests and demos: what the firmware holds, what the physics
    /// is doing and what the link has counted. Reading it allocates (it is not for the loop).
    public struct Status: Sendable, Hashable {
        /// An `identify` has opened a connection.
        public var identified = false
        public var armed = false
        public var running = false
        /// The needle is held back (retract, disarm, a fault, or not yet started); the stage may
        /// still be on its way: see `stagePositionMicrometres`.
        public var retracted = true
        public var estopLatched = false
        /// The lowest-numbered latched fault code (2 while the e-stop is latched), nil if none.
        public var latchedFault: UInt16?
        /// Every latched fault code, ascending.
        public var latchedFaults: [UInt16] = []
        public var cartridgePresent = false
        /// The drive has power: armed and, with a GPIO chip, the motor-enable output active.
        public var motorEnabled = false

        public var actualRateHertz = 0.0
        /// The last accepted stroke-rate set-point (the motor ramps to it while running).
        public var rateSetpointHertz = 0.0
        /// Where the depth stage really is.
        public var stagePositionMicrometres = 0.0
        public var targetDepthMicrometres = 0.0
        /// The depth sensor's last reading (position + noise + injected drift), as in telemetry.
        public var depthReadingMicrometres = 0.0
        /// Strokes so far (fractional: the integral of the rate).
        public var strokes = 0.0
        public var motorCurrentMilliamperes = 0.0
        public var lastHeartbeatAt: UInt64?
        public var deviceTicks: UInt64 = 0
        /// As telemetry's `state_flags` (Firmware-Protocol/README.md section 4).
        public var stateFlags: UInt16 = 0

        // The limits in force (`config`).
        public var depthMinMicrometres: UInt32 = 0
        public var depthMaxMicrometres: UInt32 = 0
        public var rateMinMillihertz: UInt32 = 0
        public var rateMaxMillihertz: UInt32 = 0
        public var depthSlewMicrometresPerSecond: UInt32 = 0
        public var heartbeatDeadlineMilliseconds: UInt16 = 0
        public var telemetryHertz: UInt16 = 0

        // Counters.
        /// Frames that passed the decoder's checks (CRC included).
        public var framesReceived = 0
        public var crcErrors = 0
        /// Frames the decoder rejected for any reason but garbage runs (CRC, length, id, sequence bits).
        public var badFrames = 0
        /// CRC-valid, in-order data frames whose payload did not fit the table.
        public var messageErrors = 0
        public var commandsExecuted = 0
        /// Commands answered with a non-zero `command_result` status.
        public var commandsRefused = 0
        public var telemetrySent = 0
        public var faultReportsSent = 0
        /// Bytes that arrived while the firmware was injected unresponsive.
        public var bytesIgnored = 0
        public var dataFramesSent = 0
        public var retransmissions = 0
        public var naksSent = 0
        public var acksSent = 0
        public var duplicatesReceived = 0
        public var gapsReceived = 0
        /// Telemetry samples dropped, oldest first, because the host left the window full.
        public var telemetryDropped = 0
        public var framesBeforeIdentify = 0
        /// In-order commands left unacknowledged (for the host to resend) while replies backed up.
        public var commandsHeldBack = 0
        /// Replies or fault reports lost to a full queue: should stay 0 (see `commandsHeldBack`).
        public var replyOverflows = 0
        public var framesInFlight = 0

        public init() {}
    }
}
