/// One telemetry sample of a pass, as kept on request (`JournalWriter.Options.keepTelemetry`).
public struct TelemetrySample: Sendable, Hashable {
    /// From the pass's start, monotonic.
    public var offsetNanoseconds: UInt64
    public var rateHertz: Double
    public var depthMillimetres: Double
    public var currentMilliamperes: UInt16

    public init(offsetNanoseconds: UInt64, rateHertz: Double, depthMillimetres: Double, currentMilliamperes: UInt16) {
        self.offsetNanoseconds = offsetNanoseconds
        self.rateHertz = rateHertz
        self.depthMillimetres = depthMillimetres
        self.currentMilliamperes = currentMilliamperes
    }
}
