// Shared helpers: locating and decoding the vectors, field values, and a Swift wrapper around
// the C stream decoder that records its events.
import Foundation
import StippleProtocolC

/// Firmware-Protocol/, found from this file's path (no bundle resources needed).
let protocolDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()   // StippleProtocolCTests
    .deletingLastPathComponent()   // Tests
    .deletingLastPathComponent()   // package root
    .appendingPathComponent("Firmware-Protocol")

func loadVectors<T: Decodable>(_ file: String, as type: T.Type) -> T {
    let url = protocolDirectory.appendingPathComponent("vectors").appendingPathComponent(file)
    do {
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    } catch {
        fatalError("cannot load \(url.path): \(error) (regenerate with tools/gen_vectors.py)")
    }
}

// MARK: - Field values

/// One field value from a vector or from an unpacked C struct. Integers are normalised so a
/// value compares equal whatever its C type: non-negative values are always `.unsigned`.
enum FieldValue: Equatable, Sendable, Decodable, CustomStringConvertible {
    case unsigned(UInt64)
    case negative(Int64)
    case text(String)

    init<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            self = .negative(Int64(value))
        } else {
            self = .unsigned(UInt64(value))
        }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Int64.self) {
            self = FieldValue(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    var description: String {
        switch self {
        case .unsigned(let v): return "\(v)"
        case .negative(let v): return "\(v)"
        case .text(let s): return "\"\(s)\""
        }
    }
}

struct FieldError: Error, CustomStringConvertible {
    let description: String
}

/// A vector's fields, read into C struct members with range checks.
struct Fields: Sendable {
    let values: [String: FieldValue]

    func integer<T: FixedWidthInteger>(_ name: String) throws -> T {
        switch values[name] {
        case .unsigned(let v)?:
            if let x = T(exactly: v) { return x }
        case .negative(let v)?:
            if let x = T(exactly: v) { return x }
        default:
            break
        }
        throw FieldError(description: "field \(name): \(String(describing: values[name])) is not a \(T.self)")
    }

    /// Copies a text field's UTF-8 into a C `uint8_t name[max_len]` member (a tuple).
    func text<Storage>(_ name: String, into storage: inout Storage, count: inout UInt8) throws {
        guard case .text(let s)? = values[name] else {
            throw FieldError(description: "field \(name) is not text")
        }
        let bytes = Array(s.utf8)
        try withUnsafeMutableBytes(of: &storage) { buffer in
            guard bytes.count <= buffer.count else {
                throw FieldError(description: "field \(name): \(bytes.count) bytes, room for \(buffer.count)")
            }
            buffer.copyBytes(from: bytes)
        }
        count = UInt8(bytes.count)
    }
}

/// The text of a C `uint8_t name[max_len]` member holding `count` bytes.
func textOf<Storage>(_ storage: Storage, count: UInt8) -> String {
    withUnsafeBytes(of: storage) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
}

struct PackError: Error, CustomStringConvertible {
    let description: String
}

/// Runs an sp_pack_* call on a buffer with room for the largest payload; its bytes.
func packed(_ pack: (UnsafeMutablePointer<UInt8>, Int) -> Int) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: Int(SP_MAX_PAYLOAD))
    let count = buffer.withUnsafeMutableBufferPointer { pack($0.baseAddress!, $0.count) }
    guard count > 0 else { throw PackError(description: "sp_pack_* returned 0") }
    return Array(buffer.prefix(count))
}

// MARK: - Hex

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

// MARK: - Decoder events

/// One decoder event, in the vectors' shape (`bad-inputs.json` "events").
struct DecoderEvent: Equatable, Decodable, Sendable, CustomStringConvertible {
    var kind: String
    var seq: Int?
    var ack: Int?
    var nak: Bool?
    var payload: String?
    var message: String?

    var description: String {
        guard kind == "frame" else { return kind }
        return "frame(seq \(seq ?? -1), ack \(ack ?? -1), nak \(nak ?? false), payload \(payload ?? "?"), message \(message ?? "null"))"
    }
}

func kindName(_ kind: Int32) -> String {
    switch kind {
    case SP_EV_FRAME: return "frame"
    case SP_EV_GARBAGE: return "garbage"
    case SP_EV_BAD_LENGTH: return "bad_length"
    case SP_EV_UNKNOWN_MESSAGE: return "unknown_message"
    case SP_EV_BAD_CRC: return "bad_crc"
    case SP_EV_BAD_SEQUENCE: return "bad_sequence"
    default: return "unknown kind \(kind)"
    }
}

func messageCheckName(_ check: Int32) -> String? {
    switch check {
    case SP_MSG_NONE: return nil
    case SP_MSG_OK: return "ok"
    case SP_MSG_WRONG_LENGTH: return "wrong_length"
    default: return "unknown check \(check)"
    }
}

/// The C streaming decoder, recording every event it reports.
final class RecordingDecoder {
    private var decoder = sp_decoder()
    private(set) var events: [DecoderEvent] = []
    /// Sum of sp_decoder_feed's return values.
    private(set) var reported = 0

    init() {
        sp_decoder_init(&decoder)
    }

    var pending: Int { sp_decoder_pending(&decoder) }

    func feed(_ bytes: ArraySlice<UInt8>) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let count = Array(bytes).withUnsafeBufferPointer { buffer in
            sp_decoder_feed(&decoder, buffer.baseAddress, buffer.count, { event, context in
                let recorder = Unmanaged<RecordingDecoder>.fromOpaque(context!).takeUnretainedValue()
                recorder.record(event!.pointee)
            }, context)
        }
        reported += count
    }

    func feed(_ bytes: [UInt8]) { feed(bytes[...]) }

    private func record(_ event: sp_event) {
        var recorded = DecoderEvent(kind: kindName(event.kind))
        if event.kind == SP_EV_FRAME {
            recorded.seq = Int(event.seq)
            recorded.ack = Int(event.ack)
            recorded.nak = event.nak
            let payload = UnsafeBufferPointer(start: event.payload, count: Int(event.payload_len))
            recorded.payload = Array(payload).hex
            recorded.message = messageCheckName(event.message_check)
        } else {
            recorded.message = messageCheckName(event.message_check)
        }
        events.append(recorded)
    }
}

// MARK: - CRC-32 (ISO-HDLC), to recompute the table hash from the C descriptors

func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}
