/// Fixed-width little-endian integers in caller-provided buffers: the firmware protocol's byte
/// order. No allocation; bounds are the caller's to check, and out-of-range access traps in debug.
public enum LittleEndian {
    @inline(__always)
    public static func store<T: FixedWidthInteger>(_ value: T, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= buffer.count, "write past end of buffer")
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { src in
            for i in 0..<src.count { buffer[offset + i] = src[i] }
        }
    }

    @inline(__always)
    public static func load<T: FixedWidthInteger>(_: T.Type, from buffer: UnsafeRawBufferPointer, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= buffer.count, "read past end of buffer")
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size {
            v |= T(truncatingIfNeeded: buffer[offset + i]) << (8 * i)
        }
        return v
    }
}
