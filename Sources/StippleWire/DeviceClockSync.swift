/// Maps the device's tick counter to the host's monotonic clock (Firmware-Protocol/README.md
/// section 5): samples from clock_request/clock_reply round trips, the slow ones discarded, and
/// offset + drift fitted by least squares over the most recent good samples.
public struct DeviceClockSync: Sendable {
    public let tickHertz: UInt32
    /// Samples kept for the fit.
    public let fitSize = 8
    /// Round trips remembered to judge what "fast" is.
    public let historySize = 16

    private var roundTrips: [UInt64] = []
    private var samples: [(ticks: UInt64, host: UInt64)] = []
    private var fit: (ticks0: UInt64, host0: UInt64, slope: Double)?

    public init(tickHertz: UInt32) {
        precondition(tickHertz > 0, "tick rate must be positive")
        self.tickHertz = tickHertz
    }

    /// Nanoseconds of host time per device tick, as the device's nominal rate says.
    private var nominal: Double { 1e9 / Double(tickHertz) }

    /// Offers one round trip: sent at `hostSent`, the reply (read at `deviceTicks`) arrived at
    /// `hostReceived`. Returns whether it was used: slow round trips say little about when the
    /// device read its clock.
    @discardableResult
    public mutating func add(deviceTicks: UInt64, hostSent: UInt64, hostReceived: UInt64) -> Bool {
        guard hostReceived >= hostSent else { return false }
        let rtt = hostReceived - hostSent
        roundTrips.append(rtt)
        if roundTrips.count > historySize { roundTrips.removeFirst() }
        let fastest = roundTrips.min() ?? rtt
        // Within 50% (and 20 µs) of the fastest recent round trip.
        guard rtt <= fastest + max(fastest / 2, 20_000) else { return false }
        samples.append((deviceTicks, hostSent + rtt / 2))
        if samples.count > fitSize { samples.removeFirst() }
        refit()
        return true
    }

    private mutating func refit() {
        guard let first = samples.first else { return }
        if samples.count == 1 {
            fit = (first.ticks, first.host, nominal)
            return
        }
        // Least squares of host time on device ticks, relative to the first sample for precision.
        // Two passes over the samples without building arrays: this runs inside the control cycle.
        let n = Double(samples.count)
        var mx = 0.0, my = 0.0
        for sample in samples {
            mx += Double(sample.ticks &- first.ticks)
            my += Double(Int64(bitPattern: sample.host &- first.host))
        }
        mx /= n
        my /= n
        var sxy = 0.0, sxx = 0.0
        for sample in samples {
            let x = Double(sample.ticks &- first.ticks) - mx
            let y = Double(Int64(bitPattern: sample.host &- first.host)) - my
            sxy += x * y
            sxx += x * x
        }
        let slope = sxx > 0 ? sxy / sxx : nominal
        let intercept = my - slope * mx
        fit = (first.ticks, UInt64(Int64(bitPattern: first.host) + Int64(intercept.rounded())), slope)
    }

    /// Whether enough samples exist to convert times.
    public var isSynchronised: Bool { fit != nil }

    /// How fast the device clock runs against the host's, in parts per million; positive when it
    /// gains (more ticks per host second than `tickHertz`). 0 until two samples.
    public var driftPPM: Double {
        guard let fit, samples.count > 1 else { return 0 }
        return (nominal / fit.slope - 1) * 1e6
    }

    /// Host monotonic nanoseconds at which the device read `deviceTicks`.
    public func hostTime(forDeviceTicks ticks: UInt64) -> UInt64? {
        guard let fit else { return nil }
        let dx = Double(Int64(bitPattern: ticks &- fit.ticks0))
        return UInt64(Int64(bitPattern: fit.host0) + Int64((dx * fit.slope).rounded()))
    }
}
