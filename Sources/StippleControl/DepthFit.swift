import StippleModel

/// The least-squares fit of a depth calibration's readings, and its verdict.
///
/// The mapping is needle depth = offset + scale * stage (+ quadratic * stage²). Each fit also
/// carries a nuisance term for the approach direction (±half the hysteresis): with every position
/// read once from each side that term is orthogonal to any function of the stage position, so it
/// leaves offset, scale and quadratic unchanged but keeps backlash out of the noise estimate.
///
/// The quadratic term is kept only when it is significant: an F-test of the linear against the
/// quadratic model (both with the direction term) at the 1% level. The control core does not
/// compensate backlash (it would need the direction of every dot), so the verdict uses the
/// residuals of the mapping alone: every reading must lie within the tolerance of the mapping.
public struct DepthFit: Sendable, Hashable {
    public let points: [DepthCalibrationPoint]
    public let calibration: DepthCalibration
    public let quadraticUsed: Bool
    /// The F statistic of adding the quadratic term, and the 1% critical value it was held to.
    public let fStatistic: Double
    public let fCritical: Double
    /// Reading minus mapping, per point (mm), in the order read.
    public let residuals: [Double]
    /// Per position: the reading coming back shallower minus the one going deeper (mm).
    public let hysteresis: [(stageMillimetres: Double, millimetres: Double)]
    /// The direction term's estimate of the hysteresis (mm), over all positions.
    public let meanHysteresis: Double
    /// The residual standard deviation once mapping and direction are fitted: the gauge's noise (mm).
    public let noise: Double
    public let worstIndex: Int
    public let tolerance: Depth

    public var passed: Bool { residuals.allSatisfy { abs($0) <= tolerance.millimetres } }
    public var worstResidual: Double { residuals[worstIndex] }

    public static func == (a: DepthFit, b: DepthFit) -> Bool {
        a.points == b.points && a.tolerance == b.tolerance
    }
    public func hash(into h: inout Hasher) {
        h.combine(points)
        h.combine(tolerance)
    }

    /// Fits `points`; fails when they cannot determine the mapping.
    public static func fit(_ points: [DepthCalibrationPoint], tolerance: Depth) -> Result<DepthFit, DepthFitError> {
        let positions = Set(points.map(\.stageMillimetres))
        guard positions.count >= 7 else { return .failure(.tooFewPositions(positions.count)) }
        guard points.contains(where: \.approachedDeeper), points.contains(where: { !$0.approachedDeeper }) else {
            return .failure(.oneDirectionOnly)
        }
        let x = points.map(\.stageMillimetres), y = points.map(\.readingMillimetres)
        let d = points.map { $0.approachedDeeper ? -1.0 : 1.0 }
        guard let lin = solve([x.map { _ in 1 }, x, d], y),
              let quad = solve([x.map { _ in 1 }, x, x.map { $0 * $0 }, d], y) else {
            return .failure(.singular)
        }
        let n = points.count
        let rssLin = rss([x.map { _ in 1 }, x, d], lin, y)
        let rssQuad = rss([x.map { _ in 1 }, x, x.map { $0 * $0 }, d], quad, y)
        let dof = n - 4
        let f: Double
        if dof <= 0 {
            f = 0
        } else if rssQuad <= 1e-18 {
            f = rssLin > 1e-18 ? .infinity : 0
        } else {
            f = (rssLin - rssQuad) / (rssQuad / Double(dof))
        }
        let critical = fCritical99(dof)
        let useQuad = dof > 0 && f > critical
        let c = useQuad
            ? DepthCalibration(offsetMillimetres: quad[0], scale: quad[1], quadraticPerMillimetre: quad[2])
            : DepthCalibration(offsetMillimetres: lin[0], scale: lin[1])
        // A needle that moves under half or over twice the stage's travel is a broken stage or a
        // misread gauge, not something to correct: its inverse would throw set-points far out.
        guard plausibleScale.contains(c.scale) else { return .failure(.implausibleScale(c.scale)) }
        let residuals = points.map { $0.readingMillimetres - c.needleDepth(atStage: $0.stageMillimetres) }
        var hysteresis: [(Double, Double)] = []
        for p in positions.sorted() {
            let deeper = points.filter { $0.stageMillimetres == p && $0.approachedDeeper }.map(\.readingMillimetres)
            let back = points.filter { $0.stageMillimetres == p && !$0.approachedDeeper }.map(\.readingMillimetres)
            guard !deeper.isEmpty, !back.isEmpty else { continue }
            hysteresis.append((p, back.reduce(0, +) / Double(back.count) - deeper.reduce(0, +) / Double(deeper.count)))
        }
        let direction = useQuad ? quad[3] : lin[2]
        let rssUsed = useQuad ? rssQuad : rssLin
        let params = useQuad ? 4 : 3
        let noise = n > params ? (rssUsed / Double(n - params)).squareRoot() : 0
        let worst = residuals.indices.max { abs(residuals[$0]) < abs(residuals[$1]) } ?? 0
        return .success(DepthFit(points: points, calibration: c, quadraticUsed: useQuad, fStatistic: f, fCritical: critical,
                                 residuals: residuals, hysteresis: hysteresis, meanHysteresis: 2 * direction, noise: noise,
                                 worstIndex: worst, tolerance: tolerance))
    }

    public static let plausibleScale: ClosedRange<Double> = 0.5...2.0

    /// F(1, ν) at the 1% level (upper tail), from the standard tables; between entries the next
    /// smaller ν is used, which errs on the side of leaving the quadratic term out.
    static func fCritical99(_ dof: Int) -> Double {
        let table: [Double] = [4052, 98.50, 34.12, 21.20, 16.26, 13.75, 12.25, 11.26, 10.56, 10.04,
                               9.65, 9.33, 9.07, 8.86, 8.68, 8.53, 8.40, 8.29, 8.18, 8.10,
                               8.02, 7.95, 7.88, 7.82, 7.77, 7.72, 7.68, 7.64, 7.60, 7.56]
        if dof <= 0 { return .infinity }
        if dof <= table.count { return table[dof - 1] }
        if dof < 40 { return 7.56 }
        if dof < 60 { return 7.31 }
        if dof < 120 { return 7.08 }
        return 6.85
    }

    /// Least squares by the normal equations (a handful of columns, values of a few mm: well
    /// conditioned), Gaussian elimination with partial pivoting. Nil if singular.
    static func solve(_ columns: [[Double]], _ y: [Double]) -> [Double]? {
        let k = columns.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for i in 0..<k {
            for j in 0..<k { a[i][j] = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            a[i][k] = zip(columns[i], y).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for col in 0..<k {
            guard let pivot = (col..<k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<k where row != col {
                let factor = a[row][col] / a[col][col]
                for j in col...k { a[row][j] -= factor * a[col][j] }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] }
    }

    static func rss(_ columns: [[Double]], _ beta: [Double], _ y: [Double]) -> Double {
        y.indices.reduce(0) { sum, i in
            let fitted = columns.indices.reduce(0) { $0 + beta[$1] * columns[$1][i] }
            return sum + (y[i] - fitted) * (y[i] - fitted)
        }
    }
}

/// Why readings could not be fitted.
public enum DepthFitError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooFewPositions(Int)
    case oneDirectionOnly
    case singular
    case implausibleScale(Double)

    public var description: String {
        switch self {
        case .tooFewPositions(let n): "only \(n) distinct stage positions were read; at least 7 are needed"
        case .oneDirectionOnly: "every position was approached from the same side; backlash needs both directions"
        case .singular: "the readings do not determine an offset and a scale"
        case .implausibleScale(let s): "the needle moves \((s * 1000).rounded() / 1000) mm per mm of stage travel (a working stage moves it 0.5-2 mm)"
        }
    }
}
