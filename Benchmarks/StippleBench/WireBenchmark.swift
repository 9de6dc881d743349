import CAllocCounter
import CWireBench
import Foundation
import Glibc
import StippleWire

/// Swift codec vs the C reference codec on the same four frames, in one run, interleaved, so the
/// ratio survives a noisy shared machine. Also counts heap allocations in the Swift loop.
enum WireBenchmark {
    static let framesPerRound = 4

    /// Same work as `c_wire_roundtrips`: typed message -> frame -> stream decoder -> typed message.
    @inline(never)
    static func swiftRoundtrips(_ rounds: UInt64, decoder: FrameDecoder, buffer: UnsafeMutableRawBufferPointer) -> UInt64 {
        var sum: UInt64 = 0
        // One call per frame, no array of messages: an array literal would allocate every round.
        func roundtrip(_ m: Message, seq: UInt8) {
            guard let n = try? FrameEncoder.message(m, seq: seq, ack: 3, into: buffer) else { return }
            decoder.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { event in
                guard case .frame(let f) = event, f.messageProblem == nil,
                      case .success(let decoded) = Message.decode(f.payload) else { return }
                switch decoded {
                case .heartbeat(let c): sum &+= UInt64(c)
                case .setDepth(let d, _): sum &+= UInt64(d)
                case .telemetry(let t): sum &+= UInt64(t.strokeCount) &+ UInt64(bitPattern: Int64(t.depthMicrometres))
                case .faultReport(_, let code, _): sum &+= UInt64(code)
                default: break
                }
            }
        }
        for i in 0..<rounds {
            let seq = UInt8(i & 0x7F)
            roundtrip(.heartbeat(counter: UInt32(truncatingIfNeeded: i)), seq: seq)
            roundtrip(.setDepth(depthMicrometres: 800 + UInt32(i & 0xFF), slewMicrometresPerSecond: 8000), seq: seq)
            roundtrip(.telemetry(Telemetry(deviceTicks: i &* 1000, rateMillihertz: 120_000, depthMicrometres: 812,
                                           motorCurrentMilliamperes: 310, strokeCount: UInt32(truncatingIfNeeded: i),
                                           stateFlags: 0x63)), seq: seq)
            roundtrip(.faultReport(deviceTicks: i &* 1000, code: UInt16(1 + (i & 7)), detail: -5), seq: seq)
        }
        return sum
    }

    static func seconds(_ body: () -> Void) -> Double {
        var a = timespec(), b = timespec()
        clock_gettime(CLOCK_MONOTONIC, &a)
        body()
        clock_gettime(CLOCK_MONOTONIC, &b)
        return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
    }

    static func run() {
        let rounds: UInt64 = 500_000
        let decoder = FrameDecoder()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        // Warm up both and check they did the same work.
        let swiftSum = swiftRoundtrips(1000, decoder: decoder, buffer: buffer)
        let cSum = c_wire_roundtrips(1000)
        guard swiftSum == cSum else {
            print("error: Swift and C loops disagree (checksums \(swiftSum) vs \(cSum)); the comparison would be meaningless")
            exit(1)
        }

        // The counter must see Swift's own allocations, or "0 per frame" would mean nothing.
        let probeBefore = stipple_alloc_count()
        let probe = [Int](repeating: Int(swiftSum & 1), count: 1000)
        guard stipple_alloc_count() > probeBefore, probe.count == 1000 else {
            print("error: the allocation counter did not see a Swift array allocation; allocation figures would be wrong")
            exit(1)
        }

        let before = stipple_alloc_count()
        _ = swiftRoundtrips(100_000, decoder: decoder, buffer: buffer)
        let allocations = stipple_alloc_count() - before
        let perFrame = Double(allocations) / Double(100_000 * framesPerRound)

        var swiftRates: [Double] = [], cRates: [Double] = []
        var sink: UInt64 = 0
        for _ in 0..<7 {
            let ts = seconds { sink &+= swiftRoundtrips(rounds, decoder: decoder, buffer: buffer) }
            let tc = seconds { sink &+= c_wire_roundtrips(rounds) }
            swiftRates.append(Double(rounds) * Double(framesPerRound) / ts)
            cRates.append(Double(rounds) * Double(framesPerRound) / tc)
        }
        let ratios = zip(swiftRates, cRates).map { $0 / $1 }.sorted()
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        print("wire codec: encode + stream-decode + unpack, frames/s (median of 7 interleaved rounds of \(rounds * UInt64(framesPerRound)) frames)")
        print(String(format: "  Swift StippleWire   %12.0f frames/s", median(swiftRates)))
        print(String(format: "  C reference codec   %12.0f frames/s", median(cRates)))
        print(String(format: "  Swift / C ratio     %12.2f  (per-round ratios %.2f-%.2f; goal >= 0.80)", median(ratios), ratios.first!, ratios.last!))
        print(String(format: "  Swift allocations   %12.4f per frame (%llu in %d frames; goal 0)", perFrame, allocations, 100_000 * framesPerRound))
        if sink == 42 { print("") }  // keeps the loops' results alive
    }
}
