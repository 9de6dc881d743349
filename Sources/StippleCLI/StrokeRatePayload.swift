/// What the journal keeps of a passing stroke-rate calibration (`calibrations.payload`).
struct StrokeRatePayload: Codable {
    var kind = "stroke_rate"
    var model = "achieved_hz = gain * commanded_hz + offset_hz; commanded_hz = (wanted_hz - offset_hz) / gain"
    var instrument = "machine telemetry (rate_mhz)"
    var machine: String
    var serial: String
    var firmware: String
    var technician: String
    var gain: Double
    var offsetHz: Double
    var tolerancePercent = StrokeRateCalibration.tolerancePercent
    var points: [StrokeRateCalibration.Point]
    var verification: [StrokeRateCalibration.Check]

    enum CodingKeys: String, CodingKey {
        case kind, model, instrument, machine, serial, firmware, technician, gain
        case offsetHz = "offset_hz", tolerancePercent = "tolerance_percent", points, verification
    }
}
