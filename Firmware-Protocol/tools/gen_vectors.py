#!/usr/bin/env python3
"""Test-vector generator for the Stipple firmware protocol, version 1.

An implementation of ../README.md (framing, CRC-16/MCRF4XX, CRC_EXTRA, table hash, message
packing, the section 2.1 streaming decoder) written from the spec and ../messages.toml alone,
independent of the Swift codec (Sources/StippleWire) and the C reference codec (c/).
Python 3.11 standard library only.

    python3 tools/gen_vectors.py           rewrite vectors/*.json and fuzz-corpus/*.bin
    python3 tools/gen_vectors.py --check   regenerate in memory; exit 1 if the files on disk
                                           (the committed ones, in a clean checkout) differ:
                                           vectors/*.json and fuzz-corpus/ (missing or stale
                                           messages-*.bin / bad-inputs-*.bin included)

Output is deterministic (no randomness, no time stamps) and idempotent: JSON with indent=1 and
sorted keys, UTF-8, one trailing newline.

Readings of the spec chosen here (the most literal one wherever the text allows more than one):

 1. Wrong-length check (2.1, last paragraph): "its length must equal the message's size" is read
    as the whole payload, i.e. the 1-byte message id plus the fields. For a message ending in a
    `str`: payload length == 1 + fixed fields + 1 + n, with n (the count byte) <= max_len; a
    payload too short to hold the count byte is also wrong_length.
 2. Only lengths are checked: the bytes of a `str` are not validated as UTF-8 (the spec does not
    say the decoder checks it), and the message's `dir` is not checked (step 4 asks only whether
    the id is "in the table"). Case `str-invalid-utf8-not-checked` records this.
 3. A SYNC byte discarded at step 2, 4 or 5 is reported by its own event and is not part of a
    garbage run; the non-SYNC bytes after it are discarded at step 1 and start a new run. So a
    frame failing its CRC normally yields `bad_crc` then `garbage` (its remaining bytes).
 4. A garbage run ends when a SYNC byte is reached at step 1, even if that SYNC is then discarded
    at step 2/4/5; garbage after it is a new run, reported again.
 5. Step 2 needs the LEN byte: a SYNC with nothing after it is held (pending 1), no event.
 6. Step 3 comes before step 4: a frame with an unknown message id is judged only once all LEN
    bytes are pending; until then it is held like any other incomplete frame.
 7. Consequence of 6 and of discarding one byte: a corrupted but in-range LEN (e.g. 64) holds the
    bytes behind it, good frames included, until LEN bytes have arrived; only then is the SYNC
    dropped and the good frame found. At end of input such a frame is still pending (case
    `corrupt-len-holds-good-frame-until-more-input`); nothing is lost, only delayed.
 8. Event fields: "seq" is the 7-bit sequence number (SEQ & 0x7F) and "nak" the NAK flag (bit 7);
    "ack" is the ACK byte (bit 7 is always clear in a delivered frame). messages.json uses the
    same split: "seq" 0-127, "nak" only on control frames (the spec lists it only for them), and
    the frame's SEQ byte is 0x80 | seq for a NAK.
 9. messages.json control-frame cases have "id": null and "fields": {} besides "message": null,
    "nak" and "payload": "" (the spec lists the keys of a case but not their values for control
    frames).
10. Step 6 precedes the table check: a data frame with the NAK flag or ACK bit 7 is bad_sequence
    even if its length is also wrong; bad_sequence discards the whole frame (LEN bytes).
11. No message in the table reaches the largest payload the framing allows (58 bytes, LEN 64): the
    largest is log_message with a 48-byte text (51 bytes, LEN 57). The 64-byte frame in
    bad-inputs.json is therefore a CRC-valid log_message with trailing bytes: wrong_length.
12. The table hash text ends with "\\n" after the last message too (the format is per message).
13. u64 field values are written as exact JSON integers up to 2^64-1; readers must parse them as
    64-bit integers, not doubles.
14. With the decoder processing everything it can after each read, it never holds more than 63
    bytes (a complete frame is always processed), within the "at most 64 pending" of 2.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import tomllib
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)  # Firmware-Protocol/
TABLE_PATH = os.path.join(ROOT, "messages.toml")
VECTORS_DIR = os.path.join(ROOT, "vectors")
CORPUS_DIR = os.path.join(ROOT, "fuzz-corpus")

SYNC = 0x7E
MIN_LEN = 6
MAX_LEN = 64
NAK_FLAG = 0x80

# --------------------------------------------------------------------------------------------
# CRCs


def crc16_mcrf4xx(data: bytes, crc: int = 0xFFFF) -> int:
    """The table-free byte-wise form given in section 2."""
    for b in data:
        t = b ^ (crc & 0xFF)
        t = (t ^ (t << 4)) & 0xFF
        crc = ((crc >> 8) ^ (t << 8) ^ (t << 3) ^ (t >> 4)) & 0xFFFF
    return crc


def crc16_bitwise(data: bytes) -> int:
    """Textbook reflected CRC (poly 0x1021 reflected = 0x8408, init 0xFFFF, xorout 0), used only
    to cross-check the byte-wise form."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def crc16(data: bytes) -> int:
    c = crc16_mcrf4xx(data)
    assert c == crc16_bitwise(data), data
    return c


CHECK_INPUT = b"123456789"
CRC16_CHECK = crc16(CHECK_INPUT)
assert CRC16_CHECK == 0x6F91 == 28561, hex(CRC16_CHECK)
CRC32_CHECK = zlib.crc32(CHECK_INPUT)
assert CRC32_CHECK == 0xCBF43926 == 3421780262, hex(CRC32_CHECK)

# --------------------------------------------------------------------------------------------
# The message table

INT_TYPES = {  # type: (struct code, size, min, max)
    "u8": ("B", 1, 0, 0xFF),
    "u16": ("H", 2, 0, 0xFFFF),
    "u32": ("I", 4, 0, 0xFFFFFFFF),
    "u64": ("Q", 8, 0, 0xFFFFFFFFFFFFFFFF),
    "i16": ("h", 2, -(1 << 15), (1 << 15) - 1),
    "i32": ("i", 4, -(1 << 31), (1 << 31) - 1),
    "i64": ("q", 8, -(1 << 63), (1 << 63) - 1),
}


class Message:
    def __init__(self, mid: int, name: str, direction: str, fields: list[list]):
        self.id = mid
        self.name = name
        self.dir = direction
        self.fields: list[tuple[str, str, int | None]] = []
        for f in fields:
            if f[0] == "str":
                assert len(f) == 3 and isinstance(f[2], int) and 0 <= f[2] <= 255, f
                self.fields.append(("str", f[1], f[2]))
            else:
                assert len(f) == 2 and f[0] in INT_TYPES, f
                self.fields.append((f[0], f[1], None))
        names = [f[1] for f in self.fields]
        assert len(names) == len(set(names)), name
        for i, f in enumerate(self.fields):
            assert f[0] != "str" or i == len(self.fields) - 1, f"{name}: str must be last"
        self.fixed_size = sum(INT_TYPES[t][1] for t, _, _ in self.fields if t != "str")
        self.str_max = self.fields[-1][2] if self.fields and self.fields[-1][0] == "str" else None

    @property
    def line(self) -> str:
        parts = [self.name]
        for t, n, m in self.fields:
            parts += [t, n]
            if t == "str":
                parts.append(str(m))
        return " ".join(parts)

    @property
    def crc_extra(self) -> int:
        c = crc16(self.line.encode("ascii"))
        return (c & 0xFF) ^ (c >> 8)

    def max_payload(self) -> int:
        return 1 + self.fixed_size + (1 + self.str_max if self.str_max is not None else 0)

    def length_ok(self, payload: bytes) -> bool:
        """Section 2.1: the payload (id + fields) against the table (reading 1)."""
        assert payload and payload[0] == self.id
        if self.str_max is None:
            return len(payload) == 1 + self.fixed_size
        count_at = 1 + self.fixed_size
        if len(payload) <= count_at:
            return False
        n = payload[count_at]
        return n <= self.str_max and len(payload) == count_at + 1 + n

    def pack(self, values: dict) -> bytes:
        assert set(values) == {f[1] for f in self.fields}, (self.name, sorted(values))
        out = bytearray([self.id])
        for t, n, m in self.fields:
            v = values[n]
            if t == "str":
                raw = v.encode("utf-8")
                assert len(raw) <= m, (self.name, n, len(raw))
                out.append(len(raw))
                out += raw
            else:
                code, _, lo, hi = INT_TYPES[t]
                assert isinstance(v, int) and lo <= v <= hi, (self.name, n, v)
                out += struct.pack("<" + code, v)
        assert self.length_ok(bytes(out))
        return bytes(out)


def load_table() -> tuple[int, dict[int, Message], dict[str, Message]]:
    with open(TABLE_PATH, "rb") as f:
        doc = tomllib.load(f)
    version = doc["protocol_version"]
    assert version == 1, version
    by_id: dict[int, Message] = {}
    by_name: dict[str, Message] = {}
    for entry in doc["message"]:
        m = Message(entry["id"], entry["name"], entry["dir"], entry["fields"])
        assert 1 <= m.id <= 255 and m.id not in by_id, m.id
        assert m.name not in by_name and re.fullmatch(r"[a-z][a-z0-9_]*", m.name), m.name
        assert m.dir in ("h2d", "d2h"), m.dir
        assert m.max_payload() <= MAX_LEN - 6, m.name
        by_id[m.id] = m
        by_name[m.name] = m
    return version, by_id, by_name


PROTOCOL_VERSION, BY_ID, BY_NAME = load_table()
TABLE_TEXT = "".join(f"{m.id} {m.dir} {m.line}\n" for m in sorted(BY_ID.values(), key=lambda m: m.id))
TABLE_HASH = zlib.crc32(TABLE_TEXT.encode("ascii"))

# --------------------------------------------------------------------------------------------
# Framing


def build_frame(seq: int, ack: int, payload: bytes = b"", *, nak: bool = False,
                extra: int | None | str = "auto", length: int | None = None,
                crc_xor: int = 0) -> bytes:
    """A frame. By default it is well formed: LEN = 6 + len(payload), CRC over LEN SEQ ACK
    payload then, for a data frame, the CRC_EXTRA of the message named by the first payload byte.
    `extra` overrides that (None: no extra byte), `length` the LEN byte, `crc_xor` flips CRC bits
    after computing it; `seq`/`ack` are raw bytes here, with `nak` adding bit 7 to SEQ."""
    seq_byte = seq | (NAK_FLAG if nak else 0)
    length = 6 + len(payload) if length is None else length
    body = bytes([length, seq_byte, ack]) + payload
    if extra == "auto":
        extra = BY_ID[payload[0]].crc_extra if payload else None
    crc = crc16(body + (bytes([extra]) if extra is not None else b"")) ^ crc_xor
    return bytes([SYNC]) + body + bytes([crc & 0xFF, crc >> 8])


def msg_frame(name: str, values: dict, seq: int, ack: int) -> bytes:
    return build_frame(seq, ack, BY_NAME[name].pack(values))


class Decoder:
    """Section 2.1, step by step."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.in_garbage_run = False

    def feed(self, data: bytes) -> list[dict]:
        buf = self.pending
        buf += data
        events: list[dict] = []
        while buf:
            # 1. Not SYNC: discard up to the next SYNC; garbage once per run, at its start.
            if buf[0] != SYNC:
                nxt = buf.find(SYNC)
                if nxt < 0:
                    nxt = len(buf)
                if not self.in_garbage_run:
                    events.append({"kind": "garbage"})
                    self.in_garbage_run = True
                del buf[:nxt]
                continue
            self.in_garbage_run = False  # a SYNC byte is reached: the run, if any, ends
            if len(buf) < 2:
                break  # need LEN
            length = buf[1]
            # 2. LEN out of range: discard the SYNC byte only.
            if length < MIN_LEN or length > MAX_LEN:
                events.append({"kind": "bad_length"})
                del buf[0]
                continue
            # 3. Wait for the whole frame.
            if len(buf) < length:
                break
            frame = bytes(buf[:length])
            seq_byte, ack_byte = frame[2], frame[3]
            payload = frame[4:length - 2]
            # 4. Unknown message id: discard the SYNC byte only.
            msg = None
            if payload:
                msg = BY_ID.get(payload[0])
                if msg is None:
                    events.append({"kind": "unknown_message"})
                    del buf[0]
                    continue
            # 5. CRC (with the message's CRC_EXTRA for a data frame): discard the SYNC byte only.
            covered = frame[1:length - 2] + (bytes([msg.crc_extra]) if msg else b"")
            if crc16(covered) != frame[length - 2] | (frame[length - 1] << 8):
                events.append({"kind": "bad_crc"})
                del buf[0]
                continue
            # 6. NAK flag on a data frame, or ACK bit 7: discard the whole frame.
            if (payload and seq_byte & NAK_FLAG) or ack_byte & 0x80:
                events.append({"kind": "bad_sequence"})
                del buf[:length]
                continue
            # 7. Deliver; a data frame's payload is checked against the table.
            events.append({
                "kind": "frame",
                "seq": seq_byte & 0x7F,
                "ack": ack_byte,
                "nak": bool(seq_byte & NAK_FLAG),
                "payload": payload.hex(),
                "message": None if msg is None else ("ok" if msg.length_ok(payload) else "wrong_length"),
            })
            del buf[:length]
        assert len(buf) <= MAX_LEN - 1
        return events


def decode(data: bytes, chunks: list[int] | None = None) -> tuple[list[dict], int]:
    if chunks is None:
        chunks = [len(data)]
    assert sum(chunks) == len(data) and all(c >= 0 for c in chunks), chunks
    d = Decoder()
    events: list[dict] = []
    at = 0
    for c in chunks:
        events += d.feed(data[at:at + c])
        at += c
    return events, len(d.pending)


def splits(n: int) -> list[list[int]]:
    """Read patterns every case must decode identically under."""
    out = [[n], [1] * n]
    for size in (2, 3, 5, 7, 13):
        out.append([size] * (n // size) + ([n % size] if n % size else []))
    for cut in range(1, n):
        out.append([cut, n - cut])
    if n >= 3:  # three reads with the middle one empty, and odd uneven splits
        out.append([1, 0, n - 1])
        out.append([n // 3, n - 2 * (n // 3), n // 3])
    return out


# --------------------------------------------------------------------------------------------
# messages.json

LONG_UTF8 = "Nadel ä ö ü ß — 针 ✓ 🙂 Stipple"  # padded below to exactly 48 bytes


def text_of_bytes(n: int, base: str) -> str:
    s = base
    while len(s.encode("utf-8")) < n:
        s += "."
    while len(s.encode("utf-8")) > n:
        s = s[:-1]
    assert len(s.encode("utf-8")) == n
    return s


MAX_TEXT = text_of_bytes(48, LONG_UTF8)
assert any(ord(ch) > 127 for ch in MAX_TEXT) and len(MAX_TEXT.encode()) == 48

TYPICAL = {
    "identify": {"protocol_version": 1, "table_hash": TABLE_HASH, "nonce": 0x1234ABCD},
    "identify_reply": {"protocol_version": 1, "table_hash": TABLE_HASH, "nonce": 0x1234ABCD,
                       "firmware_version": 0x00010203, "serial": 0x0000535449500001,
                       "tick_hz": 48_000_000, "max_window": 8},
    "get_config": {},
    "set_config": {"depth_min_um": 500, "depth_max_um": 3500, "rate_min_mhz": 50_000,
                   "rate_max_mhz": 150_000, "depth_slew_um_per_s": 20_000,
                   "heartbeat_deadline_ms": 50, "telemetry_hz": 100},
    "config": {"depth_min_um": 500, "depth_max_um": 3500, "rate_min_mhz": 50_000,
               "rate_max_mhz": 150_000, "depth_slew_um_per_s": 20_000,
               "heartbeat_deadline_ms": 50, "telemetry_hz": 100},
    "arm": {}, "disarm": {},
    "set_stroke_rate": {"rate_mhz": 100_000, "ramp_ms": 250},
    "set_depth": {"depth_um": 1800, "slew_um_per_s": 10_000},
    "start": {}, "stop": {}, "retract": {},
    "heartbeat": {"counter": 4242},
    "estop": {},
    "reset_fault": {"code": 1},
    "read_calibration": {},
    "write_calibration": {"offset_um": -125, "scale_ppm": 998_700, "quadratic_ppm": -35,
                          "cartridge_offset_um": -40, "expires_unix_s": 1_798_761_600},
    "calibration": {"offset_um": -125, "scale_ppm": 998_700, "quadratic_ppm": -35,
                    "cartridge_offset_um": -40, "expires_unix_s": 1_798_761_600},
    "get_cartridge": {},
    "cartridge_info": {"cartridge_id": 0x0102030405060708, "lot": 240_117, "use_count": 3,
                       "present": 1},
    "telemetry": {"device_ticks": 123_456_789_012, "rate_mhz": 100_000, "depth_um": -15,
                  "motor_current_ma": 850, "stroke_count": 60_000, "state_flags": 0b11100011},
    "fault_report": {"device_ticks": 9_876_543_210, "code": 3, "detail": -42},
    "log_message": {"level": 2, "text": "depth sensor drift 12 um"},
    "clock_request": {"nonce": 7},
    "clock_reply": {"nonce": 7, "device_ticks": 48_000_000_123},
    "command_result": {"command_id": 0x09, "status": 2, "detail": -1},
}
assert set(TYPICAL) == set(BY_NAME), set(TYPICAL) ^ set(BY_NAME)


def case_name(*parts: str) -> str:
    return "-".join(p.replace("_", "-") for p in parts)


def values_for(m: Message, kind: str) -> dict:
    out = {}
    for t, n, mx in m.fields:
        if t == "str":
            out[n] = {"zero": "", "max": MAX_TEXT, "signed-min": MAX_TEXT,
                      "minus-one": "x"}[kind]
            continue
        _, _, lo, hi = INT_TYPES[t]
        signed = lo < 0
        if kind == "zero":
            out[n] = 0
        elif kind == "max":
            out[n] = hi
        elif kind == "signed-min":
            out[n] = lo if signed else hi
        elif kind == "minus-one":
            out[n] = -1 if signed else 1
        else:
            raise ValueError(kind)
    return out


def message_cases() -> list[dict]:
    cases = []

    def add(name: str, m: Message, values: dict, seq: int, ack: int) -> None:
        payload = m.pack(values)
        frame = build_frame(seq, ack, payload)
        events, pending = decode(frame)
        assert pending == 0 and events == [{"kind": "frame", "seq": seq, "ack": ack, "nak": False,
                                            "payload": payload.hex(), "message": "ok"}], name
        cases.append({"name": name, "message": m.name, "id": m.id, "seq": seq, "ack": ack,
                      "fields": values, "payload": payload.hex(), "frame": frame.hex()})

    for m in sorted(BY_ID.values(), key=lambda m: m.id):
        signed = any(INT_TYPES.get(t, ("", 0, 0))[2] < 0 for t, _, _ in m.fields)
        add(case_name(m.name, "zero"), m, values_for(m, "zero"), 0, 0)
        add(case_name(m.name, "typical"), m, dict(TYPICAL[m.name]), (m.id * 37) % 128, (m.id * 11 + 3) % 128)
        add(case_name(m.name, "max"), m, values_for(m, "max"), 127, 127)
        if signed:
            add(case_name(m.name, "signed-min"), m, values_for(m, "signed-min"), 64, 63)
            add(case_name(m.name, "minus-one"), m, values_for(m, "minus-one"), 1, 126)

    lm = BY_NAME["log_message"]
    add("log-message-max-ascii", lm, {"level": 3, "text": "E" * 48}, 100, 0)
    add("log-message-one-multibyte-char", lm, {"level": 0, "text": "µ"}, 0, 127)
    sd = BY_NAME["set_depth"]
    add("set-depth-sync-bytes-in-payload", sd, {"depth_um": 0x7E7E7E7E, "slew_um_per_s": 0x7E}, 0x7E % 128, 0x7E % 128)

    def add_control(name: str, seq: int, ack: int, nak: bool) -> None:
        frame = build_frame(seq, ack, nak=nak)
        events, pending = decode(frame)
        assert pending == 0 and events == [{"kind": "frame", "seq": seq, "ack": ack, "nak": nak,
                                            "payload": "", "message": None}], name
        cases.append({"name": name, "message": None, "id": None, "seq": seq, "ack": ack, "nak": nak,
                      "fields": {}, "payload": "", "frame": frame.hex()})

    add_control("control-ack-zero", 0, 0, False)
    add_control("control-ack", 5, 17, False)
    add_control("control-ack-max", 127, 127, False)
    add_control("control-nak-zero", 0, 0, True)
    add_control("control-nak", 3, 9, True)
    add_control("control-nak-max", 127, 127, True)
    return cases


# --------------------------------------------------------------------------------------------
# bad-inputs.json


def first_with_sync_in_crc() -> bytes:
    """The first heartbeat (counter 0, 1, ...) whose CRC contains a 0x7E byte."""
    for counter in range(1 << 20):
        f = msg_frame("heartbeat", {"counter": counter}, 9, 4)
        if SYNC in f[-2:]:
            return f
    raise AssertionError("no heartbeat with 0x7E in its CRC")


def bad_input_cases() -> list[tuple[str, str, bytes, list[int] | None]]:
    hb = msg_frame("heartbeat", {"counter": 4242}, 10, 3)
    depth = msg_frame("set_depth", {"depth_um": 1800, "slew_um_per_s": 10_000}, 11, 3)
    tele = msg_frame("telemetry", TYPICAL["telemetry"], 20, 12)
    ack = build_frame(21, 13)
    nak = build_frame(21, 13, nak=True)
    sd_payload = BY_NAME["set_depth"].pack({"depth_um": 1800, "slew_um_per_s": 10_000})
    lm = BY_NAME["log_message"]
    garbage = bytes([0x00, 0x11, 0x22, 0xA5, 0xFF])

    def flip(frame: bytes, index: int, bit: int = 0) -> bytes:
        b = bytearray(frame)
        b[index] ^= 1 << bit
        return bytes(b)

    sync_crc = first_with_sync_in_crc()
    sync_payload = msg_frame("set_depth", {"depth_um": 0x7E7E7E7E, "slew_um_per_s": 0x007E0000}, 0x7E, 0x7E)
    many = b"".join(msg_frame(n, TYPICAL[n], i, 100 + i) for i, n in enumerate(
        ["identify", "identify_reply", "get_config", "set_config", "config", "arm",
         "set_stroke_rate", "set_depth", "start", "heartbeat", "telemetry", "log_message"]))
    max_frame = build_frame(30, 31, lm.pack({"level": 1, "text": "M" * 48}) + bytes(range(1, 8)))
    assert len(max_frame) == MAX_LEN
    noise = (garbage + bytes([SYNC, 0xC8]) + hb + flip(depth, 5, 0)
             + build_frame(1, 1, bytes([0xFF]), extra=None) + build_frame(0, 0x80) + tele + ack)
    all_sync = build_frame(0x7E, 0x7E, bytes([0x17, 0x7E, 1, 0x7E]))  # log_message "~"

    C: list[tuple[str, str, bytes, list[int] | None]] = [
        # --- good input and stream mechanics
        ("empty-input", "No bytes at all: no events, nothing pending.", b"", None),
        ("lone-sync", "A single SYNC byte: held waiting for LEN (pending 1).", bytes([SYNC]), None),
        ("sync-and-len-only", "SYNC and an in-range LEN, nothing more: held waiting for the frame.",
         hb[:2], None),
        ("single-data-frame", "One heartbeat frame.", hb, None),
        ("control-ack", "An ACK control frame (empty payload, CRC without CRC_EXTRA).", ack, None),
        ("control-nak", "A NAK control frame (SEQ bit 7 set, empty payload): valid.", nak, None),
        ("two-frames-back-to-back", "Two data frames with nothing between them.", hb + depth, None),
        ("many-frames-one-read", "Twelve data frames of different messages, one read.", many, None),
        ("many-frames-odd-reads", "The same twelve frames fed in reads of 7 bytes.", many,
         [7] * (len(many) // 7) + ([len(many) % 7] if len(many) % 7 else [])),
        ("frame-byte-by-byte", "A telemetry frame fed one byte per read.", tele, [1] * len(tele)),
        ("frames-split-across-reads", "A heartbeat and a set_depth, split mid-header and mid-payload.",
         hb + depth, [1, 2, 8, 5, len(hb + depth) - 16]),
        ("control-frames-byte-by-byte", "An ACK then a NAK control frame, one byte per read.",
         ack + nak, [1] * 12),
        ("max-length-frame-64", "A 64-byte frame (LEN 64, 58-byte payload): a CRC-valid log_message "
         "with 7 bytes after its 48-byte text. No table message is that long, so it is delivered "
         "with message wrong_length.", max_frame, None),
        ("min-data-frame", "The smallest data frame: arm, payload = its id only (LEN 7).",
         msg_frame("arm", {}, 0, 0), None),
        ("seq-ack-extremes", "Data frames with SEQ/ACK 0/127 and 127/0.",
         msg_frame("heartbeat", {"counter": 0}, 0, 127) + msg_frame("heartbeat", {"counter": 1}, 127, 0), None),
        ("sync-bytes-in-payload", "A set_depth whose payload, SEQ and ACK contain 0x7E bytes.", sync_payload, None),
        ("sync-bytes-in-payload-byte-by-byte", "The same frame fed one byte per read.", sync_payload,
         [1] * len(sync_payload)),
        ("sync-byte-in-crc", "A heartbeat whose CRC contains a 0x7E byte.", sync_crc, None),
        ("sync-everywhere", "A log_message with level 0x7E and text \"~\", SEQ = ACK = 0x7E (seq and "
         "ack 126): 0x7E in the header and the payload.", all_sync, None),
        ("str-empty", "A log_message with an empty text (count 0).", msg_frame("log_message", {"level": 0, "text": ""}, 2, 2), None),
        ("str-max-len-utf8", "A log_message with a 48-byte non-ASCII UTF-8 text (count = max_len).",
         msg_frame("log_message", {"level": 1, "text": MAX_TEXT}, 3, 3), None),
        ("str-invalid-utf8-not-checked", "A log_message whose 2 text bytes are not valid UTF-8: the "
         "spec checks lengths only, so it is delivered as ok.",
         build_frame(4, 4, bytes([0x17, 0x01, 0x02, 0xC3, 0x28])), None),
        ("d2h-message-either-direction", "A d2h message (config) decodes like any other: the decoder "
         "does not check direction.", msg_frame("config", TYPICAL["config"], 5, 5), None),
        # --- CRC
        ("bad-crc-payload-bit", "set_depth with one bit flipped in its payload: bad_crc (the SYNC "
         "dropped), then its other bytes are garbage.", flip(depth, 7, 3), None),
        ("bad-crc-crc-low-byte", "heartbeat with one bit flipped in the CRC low byte.", flip(hb, len(hb) - 2, 0), None),
        ("bad-crc-crc-high-byte", "heartbeat with one bit flipped in the CRC high byte.", flip(hb, len(hb) - 1, 7), None),
        ("bad-crc-header-bit", "heartbeat with a bit flipped in ACK: bad_crc.", flip(hb, 3, 1), None),
        ("bad-crc-then-good-frame", "A corrupted set_depth then a good heartbeat: bad_crc, garbage, frame.",
         flip(depth, 9, 6) + hb, None),
        ("bad-crc-then-good-frame-byte-by-byte", "The same, one byte per read.",
         flip(depth, 9, 6) + hb, [1] * (len(depth) + len(hb))),
        ("crc-extra-of-another-message", "set_depth payload with the CRC computed using "
         "set_stroke_rate's CRC_EXTRA: bad_crc.",
         build_frame(12, 3, sd_payload, extra=BY_NAME["set_stroke_rate"].crc_extra), None),
        ("crc-without-crc-extra", "set_depth payload with the CRC computed without any CRC_EXTRA "
         "(as a peer ignoring CRC_EXTRA would): bad_crc.", build_frame(12, 3, sd_payload, extra=None), None),
        ("control-frame-crc-with-extra", "A control frame whose CRC wrongly includes a CRC_EXTRA "
         "byte (heartbeat's): bad_crc.", build_frame(6, 6, b"", extra=BY_NAME["heartbeat"].crc_extra), None),
        ("corrupted-sync-byte-in-crc", "The heartbeat with 0x7E in its CRC, a payload bit flipped: "
         "bad_crc, garbage, then the 0x7E in the CRC is a new SYNC whose LEN (the CRC high byte, in "
         "range) is waited for: pending 2.", flip(sync_crc, 6, 2), None),
        ("corrupted-sync-bytes-in-payload", "The set_depth full of 0x7E, a bit flipped in its CRC: "
         "each 0x7E inside is tried in turn.", flip(sync_payload, len(sync_payload) - 2, 4), None),
        # --- LEN
        ("len-65", "LEN 65, one above the maximum: bad_length, then the rest is garbage.",
         build_frame(1, 1, bytes([0x0D, 1, 2, 3, 4]), length=65), None),
        ("len-255", "LEN 255: bad_length, garbage.", build_frame(1, 1, bytes([0x0D, 1, 2, 3, 4]), length=255), None),
        ("len-0", "LEN 0: bad_length, garbage.", build_frame(1, 1, b"", length=0), None),
        ("len-5", "LEN 5, one below the minimum: bad_length, garbage.", build_frame(1, 1, b"", length=5), None),
        ("len-0-then-good-frame", "LEN 0 then a good heartbeat.", build_frame(1, 1, b"", length=0) + hb, None),
        ("len-sync-hides-frame", "A SYNC whose LEN byte is the next frame's SYNC (0x7E = 126): "
         "bad_length, and resynchronisation finds the good frame right behind.", bytes([SYNC]) + hb, None),
        ("corrupt-len-short-then-frame", f"A set_depth whose LEN was corrupted from {len(depth)} to 10: the 10 bytes "
         "fail their CRC, only the SYNC is dropped, and the next frame is found.",
         bytes([SYNC, 10]) + depth[2:] + hb, None),
        ("corrupt-len-cannot-swallow-next-frame", "A corrupted header claiming LEN 40 right before a "
         "heartbeat id byte, then good frames: once 40 bytes are in, bad_crc drops the SYNC only and "
         "every good frame behind it is delivered.", bytes([SYNC, 40, 0x01, 0x02, 0x0D]) + hb + depth + tele, None),
        ("corrupt-len-holds-good-frame-until-more-input", "A SYNC claiming LEN 64 before a good "
         "heartbeat, and input ends: 64 bytes are not there yet, so everything is pending.",
         bytes([SYNC, 64]) + hb, None),
        ("truncated-frame-at-end", f"The first 9 of a set_depth's {len(depth)} bytes: pending 9.", depth[:9], None),
        ("good-frame-then-truncated", "A heartbeat then the first 5 bytes of a telemetry frame.",
         hb + tele[:5], None),
        ("truncated-unknown-id-waits", "A frame with an unknown id (0xFF), truncated: step 3 comes "
         "before step 4, so it is pending, not yet unknown_message.",
         build_frame(1, 1, bytes([0xFF, 0, 0, 0]), extra=None)[:6], None),
        # --- table
        ("wrong-length-fixed-too-short", "A CRC-valid set_depth with one payload byte missing: "
         "delivered, message wrong_length.", build_frame(13, 3, sd_payload[:-1]), None),
        ("wrong-length-fixed-too-long", "A CRC-valid set_depth with one extra payload byte: "
         "delivered, message wrong_length.", build_frame(13, 3, sd_payload + b"\x00"), None),
        ("wrong-length-fieldless-with-data", "A CRC-valid arm (no fields) carrying one byte: wrong_length.",
         build_frame(14, 3, bytes([0x06, 0x01])), None),
        ("wrong-length-id-only", "A CRC-valid identify_reply payload holding its id only: wrong_length.",
         build_frame(15, 3, bytes([0x02])), None),
        ("str-count-above-max-len", "A CRC-valid log_message with count 49 and 49 text bytes "
         "(max_len 48): wrong_length.", build_frame(16, 3, bytes([0x17, 0x00, 49]) + b"A" * 49), None),
        ("str-count-exceeds-bytes", "A CRC-valid log_message with count 5 but 4 text bytes: wrong_length.",
         build_frame(17, 3, bytes([0x17, 0x00, 5]) + b"abcd"), None),
        ("str-count-below-bytes", "A CRC-valid log_message with count 3 but 4 text bytes: wrong_length.",
         build_frame(18, 3, bytes([0x17, 0x00, 3]) + b"abcd"), None),
        ("str-missing-count", "A CRC-valid log_message with its level but no count byte: wrong_length.",
         build_frame(19, 3, bytes([0x17, 0x02])), None),
        ("unknown-message-0x00", "Message id 0x00 (ids are 1-255): unknown_message, garbage.",
         build_frame(1, 1, bytes([0x00, 1, 2, 3]), extra=None), None),
        ("unknown-message-0xff", "Message id 0xFF, not in the table: unknown_message, garbage.",
         build_frame(1, 1, bytes([0xFF, 1, 2, 3]), extra=None), None),
        ("unknown-message-0x1b", "Message id 0x1B, one past the last in the table: unknown_message.",
         build_frame(1, 1, bytes([0x1B]), extra=None), None),
        ("unknown-message-then-good-frame", "Unknown id 0xFF then a good heartbeat.",
         build_frame(1, 1, bytes([0xFF, 1, 2, 3]), extra=None) + hb, None),
        # --- sequence
        ("nak-flag-on-data-frame", "A CRC-valid heartbeat with the NAK flag: bad_sequence, the whole "
         "frame discarded.", build_frame(10, 3, BY_NAME["heartbeat"].pack({"counter": 1}), nak=True), None),
        ("nak-flag-on-data-frame-wrong-length", "A CRC-valid set_depth with the NAK flag and a wrong "
         "length: bad_sequence wins (step 6 precedes the table check).",
         build_frame(10, 3, sd_payload[:-2], nak=True), None),
        ("ack-bit7-data-frame", "A CRC-valid heartbeat with ACK 0x83: bad_sequence.",
         build_frame(10, 0x83, BY_NAME["heartbeat"].pack({"counter": 1})), None),
        ("ack-bit7-control-frame", "A CRC-valid ACK control frame with ACK 0xFF: bad_sequence.",
         build_frame(10, 0xFF), None),
        ("ack-bit7-nak-control-frame", "A CRC-valid NAK control frame with ACK 0x80: bad_sequence.",
         build_frame(0, 0x80, nak=True), None),
        ("bad-sequence-then-good-frame", "A NAK-flagged data frame then a good one: bad_sequence, frame "
         "(no garbage: the whole bad frame was removed).",
         build_frame(10, 3, BY_NAME["heartbeat"].pack({"counter": 1}), nak=True) + hb, None),
        # --- garbage
        ("garbage-only", "Bytes without any SYNC: one garbage event.", garbage, None),
        ("garbage-before-frame", "Garbage then a frame.", garbage + hb, None),
        ("garbage-between-frames", "A frame, garbage, a frame.", hb + garbage + depth, None),
        ("garbage-after-frame", "A frame then garbage.", hb + garbage, None),
        ("garbage-run-split-across-reads", "One run of garbage fed in three reads, then a frame: still "
         "one garbage event.", garbage + hb, [2, 2, 1, len(hb)]),
        ("garbage-run-byte-by-byte", "Garbage, frame, garbage, one byte per read.",
         garbage + hb + garbage, [1] * (2 * len(garbage) + len(hb))),
        ("garbage-ends-at-read-boundary", "Garbage filling a read exactly, the next read starting with a "
         "frame, then more garbage: two runs.", garbage + hb + garbage[:2],
         [len(garbage), len(hb) + 2]),
        ("sync-in-garbage-bad-len", "Garbage containing a SYNC followed by LEN 3: garbage, bad_length, "
         "garbage, then the frame.", bytes([0x01, 0x02, SYNC, 0x03, 0x04, 0x05]) + hb, None),
        ("sync-in-garbage-bad-len-chunked", "The same, split inside the garbage and between SYNC and LEN.",
         bytes([0x01, 0x02, SYNC, 0x03, 0x04, 0x05]) + hb, [1, 2, 1, 3, len(hb) - 1]),
        ("sync-run-then-truncated", "Three SYNC bytes then half a frame: bad_length twice, then pending.",
         bytes([SYNC, SYNC]) + hb[:7], None),
        ("noise-mix", "Garbage, a bad LEN, a corrupted frame, an unknown id, a bad sequence and good "
         "frames in one stream, fed in reads of 3 bytes.",
         noise, [3] * (len(noise) // 3) + ([len(noise) % 3] if len(noise) % 3 else [])),
    ]
    return C


def bad_cases_json() -> list[dict]:
    out = []
    for name, description, data, chunks in bad_input_cases():
        ref_events, ref_pending = decode(data)
        for s in splits(len(data)) + ([chunks] if chunks else []):
            ev, pend = decode(data, s)
            assert ev == ref_events and pend == ref_pending, (name, s, ev, ref_events)
        case = {"name": name, "description": description, "input": data.hex(),
                "events": ref_events, "pending": ref_pending}
        if chunks is not None:
            case["chunks"] = chunks
        out.append(case)
    return out


# --------------------------------------------------------------------------------------------
# Output


def dump(obj) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def expected_checks(bad: list[dict]) -> None:
    """Hand-written expectations for a few cases, as a check on the decoder itself."""
    E = {c["name"]: (c["events"], c["pending"]) for c in bad}
    kinds = lambda n: [e["kind"] for e in E[n][0]]  # noqa: E731
    assert E["empty-input"] == ([], 0)
    assert E["lone-sync"] == ([], 1)
    assert E["sync-and-len-only"] == ([], 2)
    assert kinds("bad-crc-payload-bit") == ["bad_crc", "garbage"]
    assert kinds("bad-crc-then-good-frame") == ["bad_crc", "garbage", "frame"]
    assert kinds("len-65") == ["bad_length", "garbage"] and kinds("len-5") == ["bad_length", "garbage"]
    assert kinds("len-sync-hides-frame") == ["bad_length", "frame"]
    assert kinds("unknown-message-0xff") == ["unknown_message", "garbage"]
    assert kinds("nak-flag-on-data-frame") == ["bad_sequence"] and E["nak-flag-on-data-frame"][1] == 0
    assert kinds("ack-bit7-control-frame") == ["bad_sequence"]
    assert kinds("garbage-run-split-across-reads") == ["garbage", "frame"]
    assert kinds("garbage-ends-at-read-boundary") == ["garbage", "frame", "garbage"]
    assert kinds("sync-in-garbage-bad-len") == ["garbage", "bad_length", "garbage", "frame"]
    assert kinds("crc-without-crc-extra")[0] == "bad_crc"
    assert kinds("crc-extra-of-another-message")[0] == "bad_crc"
    assert kinds("control-frame-crc-with-extra")[0] == "bad_crc"
    assert E["corrupt-len-holds-good-frame-until-more-input"] == ([], 2 + 11)
    assert kinds("corrupt-len-cannot-swallow-next-frame") == ["bad_crc", "garbage", "frame", "frame", "frame"]
    assert E["truncated-frame-at-end"] == ([], 9)
    assert E["truncated-unknown-id-waits"] == ([], 6)
    for n in ("wrong-length-fixed-too-short", "wrong-length-fixed-too-long", "str-count-above-max-len",
              "str-count-exceeds-bytes", "str-missing-count", "max-length-frame-64"):
        assert [e.get("message") for e in E[n][0]] == ["wrong_length"], n
    for n in ("str-empty", "str-max-len-utf8", "sync-byte-in-crc", "sync-bytes-in-payload", "sync-everywhere",
              "str-invalid-utf8-not-checked"):
        assert [e.get("message") for e in E[n][0]] == ["ok"], n
    assert [e["nak"] for e in E["control-nak"][0]] == [True]
    assert all(e["kind"] == "frame" and e["message"] == "ok" for e in E["many-frames-one-read"][0])
    assert len(E["many-frames-one-read"][0]) == 12


def generate() -> dict[str, bytes]:
    """Every output file, path relative to Firmware-Protocol/ -> bytes."""
    crc = {
        "crc16_check": CRC16_CHECK,
        "crc32_check": CRC32_CHECK,
        "crc_extra": {m.name: m.crc_extra for m in BY_ID.values()},
        "table_text": TABLE_TEXT,
        "table_hash": TABLE_HASH,
    }
    msgs = message_cases()
    bad = bad_cases_json()
    assert len(bad) >= 24
    expected_checks(bad)
    covered = {c["message"] for c in msgs}
    assert all(sum(c["message"] == n for c in msgs) >= 2 for n in BY_NAME), "every message twice"
    assert covered - {None} == set(BY_NAME)

    files = {
        "vectors/crc.json": dump(crc),
        "vectors/messages.json": dump({"protocol_version": PROTOCOL_VERSION, "table_hash": TABLE_HASH,
                                       "cases": msgs}),
        "vectors/bad-inputs.json": dump({"cases": bad}),
    }
    for prefix, cases, key in (("messages", msgs, "frame"), ("bad-inputs", bad, "input")):
        names = [c["name"] for c in cases]
        assert len(names) == len(set(names)), prefix
        for c in cases:
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c["name"]), c["name"]
            files[f"fuzz-corpus/{prefix}-{c['name']}.bin"] = bytes.fromhex(c[key])
    return files


def stale_corpus(files: dict[str, bytes]) -> list[str]:
    """Generated-looking corpus files on disk that this run does not produce."""
    if not os.path.isdir(CORPUS_DIR):
        return []
    return sorted(f"fuzz-corpus/{f}" for f in os.listdir(CORPUS_DIR)
                  if re.fullmatch(r"(messages|bad-inputs)-.*\.bin", f) and f"fuzz-corpus/{f}" not in files)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and exit 1 if the files on disk differ")
    args = ap.parse_args(argv)
    files = generate()
    if args.check:
        bad = []
        for rel, data in sorted(files.items()):
            path = os.path.join(ROOT, rel)
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        bad.append(f"differs: {rel}")
            except FileNotFoundError:
                bad.append(f"missing: {rel}")
        bad += [f"stale: {rel}" for rel in stale_corpus(files)]
        for line in bad:
            print(line, file=sys.stderr)
        if bad:
            print("vectors are out of date: run python3 tools/gen_vectors.py", file=sys.stderr)
            return 1
        print(f"ok: {len(files)} files match")
        return 0
    for rel in stale_corpus(files):
        os.remove(os.path.join(ROOT, rel))
    for rel, data in sorted(files.items()):
        path = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            pass
        with open(path, "wb") as f:
            f.write(data)
    print(f"wrote {len(files)} files under {ROOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
