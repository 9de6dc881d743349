import StippleWire

/// Running rate and depth statistics of one pass, without storing samples.
struct PassAccumulator: Sendable {
    var count: UInt32 = 0
    var rateSum = 0.0, rateMin = Double.infinity, rateMax = -Double.infinity
    var depthSum = 0.0, depthMin = Double.infinity, depthMax = -Double.infinity

    mutating func add(_ t: Telemetry) {
        let rate = Double(t.rateMillihertz) / 1000
        let depth = Double(t.depthMicrometres) / 1000
        count += 1
        rateSum += rate
        rateMin = min(rateMin, rate)
        rateMax = max(rateMax, rate)
        depthSum += depth
        depthMin = min(depthMin, depth)
        depthMax = max(depthMax, depth)
    }

    func fill(_ s: inout PassSummary) {
        guard count > 0 else { return }
        s.samples = count
        s.rateMeanHertz = rateSum / Double(count)
        s.rateMinHertz = rateMin
        s.rateMaxHertz = rateMax
        s.depthMeanMillimetres = depthSum / Double(count)
        s.depthMinMillimetres = depthMin
        s.depthMaxMillimetres = depthMax
    }
}
