/// What a quantity (stroke rate in Hz, depth in mm) actually did during a pass.
///
/// `mean`, `min` and `max` come from the control loop's own accumulator (every sample, never
/// dropped); `p5` and `p95` are nearest-rank percentiles of the samples the journal received,
/// which are fewer than the loop's when the ring dropped telemetry
/// (`ZonePassRecord.samplesJournal < samplesLoop`).
public struct AchievedStatistics: Sendable, Hashable {
    public var mean: Double
    public var min: Double
    public var max: Double
    /// nil when the journal received no sample of the pass (all dropped).
    public var p5: Double?
    public var p95: Double?

    public init(mean: Double, min: Double, max: Double, p5: Double?, p95: Double?) {
        self.mean = mean
        self.min = min
        self.max = max
        self.p5 = p5
        self.p95 = p95
    }
}
