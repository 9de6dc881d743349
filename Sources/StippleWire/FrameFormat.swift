/// Frame layout constants (Firmware-Protocol/README.md section 2).
public enum FrameFormat {
    public static let sync: UInt8 = 0x7E
    /// SYNC, LEN, SEQ, ACK and two CRC bytes.
    public static let overhead = 6
    public static let minimumLength = 6
    /// One full-speed USB bulk packet.
    public static let maximumLength = 64
    public static let maximumPayload = maximumLength - overhead
    /// SEQ bit 7: negative acknowledgement, only on empty (control) frames.
    public static let nakFlag: UInt8 = 0x80
    /// Sequence numbers run 0-127.
    public static let sequenceModulus = 128
}
