import Testing
import StippleWire

@Suite struct LittleEndianTests {
    @Test func storesLeastSignificantByteFirst() {
        var bytes = [UInt8](repeating: 0, count: 8)
        bytes.withUnsafeMutableBytes { LittleEndian.store(UInt32(0x1234_5678), into: $0, at: 2) }
        #expect(bytes == [0, 0, 0x78, 0x56, 0x34, 0x12, 0, 0])
    }

    @Test(arguments: [Int32.min, -1, 0, 1, 600_000, Int32.max])
    func signedValuesRoundTrip(_ value: Int32) {
        var bytes = [UInt8](repeating: 0, count: 4)
        bytes.withUnsafeMutableBytes { LittleEndian.store(value, into: $0, at: 0) }
        let back = bytes.withUnsafeBytes { LittleEndian.load(Int32.self, from: $0, at: 0) }
        #expect(back == value)
    }

    @Test func loadsAtAnOffset() {
        let bytes: [UInt8] = [0xFF, 0x01, 0x02, 0xFF]
        #expect(bytes.withUnsafeBytes { LittleEndian.load(UInt16.self, from: $0, at: 1) } == 0x0201)
    }
}
