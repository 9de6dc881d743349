/// CRC-16/MCRF4XX (poly 0x1021 reflected, init 0xFFFF, no xorout; check 0x6F91): the frame CRC,
/// the same as MAVLink's and cheap to compute byte-wise on a microcontroller.
public enum CRC16 {
    public static let initial: UInt16 = 0xFFFF

    @inline(__always)
    public static func update(_ crc: UInt16, _ byte: UInt8) -> UInt16 {
        var t = byte ^ UInt8(truncatingIfNeeded: crc)
        t ^= t << 4
        let t16 = UInt16(t)
        return (crc >> 8) ^ (t16 << 8) ^ (t16 << 3) ^ (t16 >> 4)
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt16 = initial) -> UInt16 {
        var crc = seed
        for b in bytes { crc = update(crc, b) }
        return crc
    }

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt16 where S.Element == UInt8 {
        var crc = initial
        for b in bytes { crc = update(crc, b) }
        return crc
    }
}

/// CRC-32/ISO-HDLC (zlib's crc32; check 0xCBF43926): the message-table hash.
public enum CRC32 {
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
