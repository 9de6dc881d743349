/// A machine's measured depth mapping: the needle depth a gauge reads when the depth stage stands
/// at stage position `x` (both in mm) is `offset + scale * x + quadratic * x²`, plus the membrane
/// offsets measured per cartridge type.
///
/// The control core uses the inverse: for a needle depth the practitioner chose it finds the stage
/// position that lands there, so the calibration is applied on the host for every set-point
/// (the device only stores a copy: Firmware-Protocol/README.md section 4).
public struct DepthCalibration: Sendable, Hashable {
    public var offsetMillimetres: Double
    public var scale: Double
    /// Second-order term, per mm (0 unless the fit found it significant).
    public var quadraticPerMillimetre: Double
    /// Membrane offsets measured with `stipple calibrate depth --cartridge C`, by cartridge type
    /// name: how much shallower than the machine's own needle depth that cartridge lands. A type
    /// not measured falls back to its file's `membrane_offset_mm`.
    public var cartridgeOffsets: [String: Depth]

    public init(offsetMillimetres: Double, scale: Double, quadraticPerMillimetre: Double = 0,
                cartridgeOffsets: [String: Depth] = [:]) {
        self.offsetMillimetres = offsetMillimetres
        self.scale = scale
        self.quadraticPerMillimetre = quadraticPerMillimetre
        self.cartridgeOffsets = cartridgeOffsets
    }

    /// The mapping of an uncalibrated machine: the stage position is taken as the needle depth.
    public static let identity = DepthCalibration(offsetMillimetres: 0, scale: 1)

    /// The needle depth (mm) at stage position `x` (mm).
    public func needleDepth(atStage x: Double) -> Double {
        offsetMillimetres + scale * x + quadraticPerMillimetre * x * x
    }

    /// The stage position (mm) where the needle reaches `depth` (mm). Newton's method from the
    /// linear solution: the quadratic term is small against the scale over the stage's travel, so
    /// it converges in a few steps to the root nearest the linear one (the physical branch).
    public func stagePosition(forNeedleDepth depth: Double) -> Double {
        guard scale != 0 else { return depth }
        var x = (depth - offsetMillimetres) / scale
        guard quadraticPerMillimetre != 0 else { return x }
        for _ in 0..<8 {
            let slope = scale + 2 * quadraticPerMillimetre * x
            guard abs(slope) > 1e-9 else { break }
            let step = (needleDepth(atStage: x) - depth) / slope
            x -= step
            if abs(step) < 1e-9 { break }
        }
        return x
    }

    /// The membrane offset for `cartridge`: measured if this calibration measured its type, else
    /// the cartridge file's nominal value.
    public func membraneOffset(for cartridge: Cartridge) -> Depth {
        cartridgeOffsets[cartridge.name] ?? cartridge.membraneOffset
    }

    /// The stage set-point for a wanted needle depth with a cartridge of this membrane offset fitted: the machine must put
    /// its own needle `membrane offset` deeper, since the membrane takes that much back.
    public func stageSetPoint(forNeedleDepth wanted: Depth, membraneOffset: Depth) -> Depth {
        Depth(millimetres: stagePosition(forNeedleDepth: (wanted + membraneOffset).millimetres))
    }
}
