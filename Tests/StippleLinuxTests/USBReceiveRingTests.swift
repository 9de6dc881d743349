#if DEBUG
import Foundation
import Testing
@testable import StippleLinux

/// The lock-free ring between libusb's event thread and `receive`.
@Suite("USB receive ring")
struct USBReceiveRingTests {
    static func write(_ ring: USBReceiveRing, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { ring.write($0) }
    }

    static func read(_ ring: USBReceiveRing, max: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: max)
        let n = b.withUnsafeMutableBytes { ring.read(into: $0) }
        return Array(b.prefix(n))
    }

    @Test func capacityIsAPowerOfTwoOfAtLeast64() {
        #expect(USBReceiveRing(capacity: 1).capacity == 64)
        #expect(USBReceiveRing(capacity: 100).capacity == 128)
        #expect(USBReceiveRing(capacity: 65_536).capacity == 65_536)
    }

    @Test func bytesComeOutInOrderAcrossTheWrap() {
        let ring = USBReceiveRing(capacity: 64)
        var expected: [UInt8] = []
        var got: [UInt8] = []
        var next: UInt8 = 0
        for round in 0..<200 {
            let n = 1 + round % 37
            let chunk = (0..<n).map { _ -> UInt8 in defer { next &+= 1 }; return next }
            if Self.write(ring, chunk) { expected += chunk }
            got += Self.read(ring, max: 1 + round % 23)
        }
        got += Self.read(ring, max: 64)
        #expect(got == expected && got.count > 2000)
    }

    @Test func aTransferThatDoesNotFitIsRefusedWhole() {
        let ring = USBReceiveRing(capacity: 64)
        #expect(Self.write(ring, [UInt8](repeating: 1, count: 60)))
        #expect(!Self.write(ring, [2, 2, 2, 2, 2]), "5 bytes into 4 free")
        #expect(ring.count == 60)
        #expect(Self.write(ring, [3, 3, 3, 3]))
        #expect(Self.read(ring, max: 100) == [UInt8](repeating: 1, count: 60) + [3, 3, 3, 3])
        #expect(ring.count == 0)
    }

    @Test func removeAllEmptiesIt() {
        let ring = USBReceiveRing(capacity: 64)
        _ = Self.write(ring, [1, 2, 3])
        ring.removeAll()
        #expect(Self.read(ring, max: 10) == [] && ring.count == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aProducerThreadAndAConsumerThreadPassTwoMillionBytesIntact() {
        let ring = USBReceiveRing(capacity: 256)
        let total = 2_000_000
        let producer = Thread {
            var next = 0
            var chunk = [UInt8](repeating: 0, count: 64)
            while next < total {
                let n = min(1 + next % 64, total - next)
                for i in 0..<n { chunk[i] = UInt8(truncatingIfNeeded: (next + i) * 31) }
                if chunk.withUnsafeBytes({ ring.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) { next += n }
            }
        }
        producer.start()
        var received = 0
        var mismatches = 0
        var buffer = [UInt8](repeating: 0, count: 100)
        while received < total {
            let n = buffer.withUnsafeMutableBytes { ring.read(into: $0) }
            for i in 0..<n where buffer[i] != UInt8(truncatingIfNeeded: (received + i) * 31) { mismatches += 1 }
            received += n
        }
        #expect(received == total && mismatches == 0)
    }
}
#endif
