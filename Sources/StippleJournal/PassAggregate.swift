import StippleControl

/// The pass being needled, as the writer collects it: its settings, every telemetry sample the
/// journal received (percentiles need them all), and its pauses.
struct PassAggregate {
    let settings: PassSettings
    let startedAt: UInt64
    var offsets: [UInt64] = []
    var rates: [Double] = []
    var depths: [Double] = []
    var currents: [UInt16] = []
    var interruptions: [PassInterruption] = []

    init(settings: PassSettings, startedAt: UInt64) {
        self.settings = settings
        self.startedAt = startedAt
        // A few seconds at 1 kHz without growing.
        offsets.reserveCapacity(4096)
        rates.reserveCapacity(4096)
        depths.reserveCapacity(4096)
    }

    mutating func add(_ r: ControlRecord) {
        offsets.append(r.at >= startedAt ? r.at - startedAt : 0)
        rates.append(r.rateHertz)
        depths.append(r.depthMillimetres)
        currents.append(r.currentMilliamperes)
    }

    mutating func paused(at t: UInt64, reason: String) {
        guard interruptions.last.map({ $0.resumedOffsetNanoseconds != nil }) ?? true else { return }
        interruptions.append(PassInterruption(ordinal: interruptions.count + 1, atOffsetNanoseconds: offset(t),
                                              resumedOffsetNanoseconds: nil, reason: reason))
    }

    mutating func resumed(at t: UInt64) {
        guard let last = interruptions.indices.last, interruptions[last].resumedOffsetNanoseconds == nil else { return }
        interruptions[last].resumedOffsetNanoseconds = offset(t)
    }

    private func offset(_ t: UInt64) -> UInt64 { t >= startedAt ? t - startedAt : 0 }

    var samples: [TelemetrySample] {
        (0..<offsets.count).map {
            TelemetrySample(offsetNanoseconds: offsets[$0], rateHertz: rates[$0], depthMillimetres: depths[$0],
                            currentMilliamperes: currents[$0])
        }
    }

    /// Indices of the steady samples (after `steadyAfterNanoseconds`), or all when there are none,
    /// matching the control core's choice for its mean/min/max.
    var steadyIndices: [Int] {
        let steady = offsets.indices.filter { offsets[$0] >= settings.steadyAfterNanoseconds }
        return steady.isEmpty ? Array(offsets.indices) : steady
    }

    /// Statistics of one quantity: mean/min/max from the loop when it counted samples (it saw
    /// every one), else from the journal's; p5/p95 from the journal's samples.
    static func statistics(journal values: [Double], loopCount: UInt32, loopMean: Double, loopMin: Double,
                           loopMax: Double) -> AchievedStatistics? {
        let sorted = values.filter(\.isFinite).sorted()
        let p5 = percentile(sorted, 5), p95 = percentile(sorted, 95)
        if loopCount > 0 { return AchievedStatistics(mean: loopMean, min: loopMin, max: loopMax, p5: p5, p95: p95) }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        return AchievedStatistics(mean: sorted.reduce(0, +) / Double(sorted.count), min: first, max: last, p5: p5, p95: p95)
    }

    /// Nearest-rank percentile: the smallest value with at least p% of the samples at or below it.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
