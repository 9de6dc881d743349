/// One row of `stipple selftest`: what was checked, its verdict and the figures behind it.
struct SelftestCheck: Sendable, Equatable {
    enum Verdict: String, Sendable, Equatable {
        case pass
        case fail = "FAIL"
        /// Not applicable to this machine (no jig line): never a failure.
        case skipped
    }

    var name: String
    var verdict: Verdict
    var detail: String

    static func pass(_ name: String, _ detail: String) -> SelftestCheck { SelftestCheck(name: name, verdict: .pass, detail: detail) }
    static func fail(_ name: String, _ detail: String) -> SelftestCheck { SelftestCheck(name: name, verdict: .fail, detail: detail) }
}
