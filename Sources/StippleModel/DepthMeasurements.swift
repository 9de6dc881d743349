/// Gauge readings for a scripted depth calibration (`stipple calibrate depth --measurements FILE`):
///
/// ```toml
/// # One reading (mm, needle tip on the gauge) per position the calibration drives, in order:
/// # the positions going deeper, then the same positions coming back.
/// readings_mm = [0.31, 0.63, ...]
/// ```
/// Strict like every other file: an unknown key, a non-number or a reading outside 0-5 mm
/// (beyond any needle's reach: a typo) is an error naming the file, the key and the index.
public struct DepthMeasurements: Sendable, Hashable {
    public var readings: [Double]

    public init(readings: [Double]) { self.readings = readings }

    public static func decode(text: String, file: String) -> Result<DepthMeasurements, ConfigError> {
        ConfigDocument.decode(text: text, file: file) { r in
            guard let raw = r.raw("readings_mm", required: true, expect: "an array of gauge readings in mm") else { return nil }
            guard case .array(let items) = raw else {
                r.report("readings_mm", value: raw, "must be an array of numbers, not \(raw.typeName)",
                         fix: "Write readings_mm = [0.31, 0.62, ...]")
                return nil
            }
            var readings: [Double] = []
            var bad = false
            for (i, item) in items.enumerated() {
                let v: Double? = switch item {
                case .integer(let n): Double(n)
                case .float(let f): f
                default: nil
                }
                guard let v, v.isFinite, (-0.5...5.0).contains(v) else {
                    r.reportAt("readings_mm[\(i)]", value: item.rendered, "is not a gauge reading in mm (a number from -0.5 to 5.0)",
                               fix: "Write the gauge's reading at that position in mm")
                    bad = true
                    continue
                }
                readings.append(v)
            }
            return bad ? nil : DepthMeasurements(readings: readings)
        }
    }
}
