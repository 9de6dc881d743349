import Crypto
import StippleControl

/// What the writer needs to know about the settings a pass runs with, registered once per
/// settings generation (`ControlRecord.code` of a `passStarted` record names the generation).
public struct PassSettings: Sendable, Hashable {
    public var zone: String
    public var profileName: String
    /// SHA-256 hex of the profile file's text (`PassSettings.contentHash(of:)`).
    public var profileHash: String
    public var cartridge: CartridgeIdentity
    /// Which of the session's pigments this pass uses, by its passport; nil if not said.
    public var pigmentLot: String?
    public var rateSetHertz: Double
    public var depthSetMillimetres: Double
    /// Samples earlier than this after the pass start are ramp-in and left out of the
    /// percentiles, as the control core leaves them out of its mean/min/max (ramp-in plus five
    /// motor time constants plus 100 ms). 0 takes every sample.
    public var steadyAfterNanoseconds: UInt64

    public init(zone: String, profileName: String, profileHash: String, cartridge: CartridgeIdentity, pigmentLot: String?,
                rateSetHertz: Double, depthSetMillimetres: Double, steadyAfterNanoseconds: UInt64 = 0) {
        self.zone = zone
        self.profileName = profileName
        self.profileHash = profileHash
        self.cartridge = cartridge
        self.pigmentLot = pigmentLot
        self.rateSetHertz = rateSetHertz
        self.depthSetMillimetres = depthSetMillimetres
        self.steadyAfterNanoseconds = steadyAfterNanoseconds
    }

    /// The SHA-256 hex of a profile file's text, as `profileHash` expects.
    public static func contentHash(of text: String) -> String { Hex.encode(SHA256.hash(data: Array(text.utf8))) }

    /// Settings from a validated `SessionSettings`, with the same steady-window rule as the
    /// control core.
    public static func from(_ s: SessionSettings, profileText: String, lot: String, pigmentLot: String?) -> PassSettings {
        let steady = UInt64(s.profile.rampInMilliseconds) * 1_000_000
            + UInt64(s.machine.actuator.motorTimeConstantMilliseconds * 5 * 1_000_000) + 100_000_000
        return PassSettings(
            zone: s.zone.name, profileName: s.profile.name, profileHash: contentHash(of: profileText),
            cartridge: CartridgeIdentity(uid: s.cartridgeID, typeName: s.cartridge.name, lot: lot, singleUse: s.cartridge.singleUse),
            pigmentLot: pigmentLot, rateSetHertz: s.profile.rate.hertz,
            depthSetMillimetres: s.setDepth(for: s.profile.depthTarget).millimetres, steadyAfterNanoseconds: steady)
    }
}
