/// One gauge reading of a depth calibration: where the stage was commanded, from which side it
/// came (backlash), and what the gauge read at the needle tip, all in mm.
public struct DepthCalibrationPoint: Sendable, Hashable, Codable {
    public var stageMillimetres: Double
    /// True when the stage reached the position moving deeper (the up-going pass).
    public var approachedDeeper: Bool
    public var readingMillimetres: Double

    public init(stageMillimetres: Double, approachedDeeper: Bool, readingMillimetres: Double) {
        self.stageMillimetres = stageMillimetres
        self.approachedDeeper = approachedDeeper
        self.readingMillimetres = readingMillimetres
    }
}
