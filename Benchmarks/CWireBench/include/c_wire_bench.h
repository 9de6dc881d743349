#ifndef STIPPLE_C_WIRE_BENCH_H
#define STIPPLE_C_WIRE_BENCH_H
#include <stdint.h>
/* Encodes and decodes `rounds` times the benchmark's four frames (heartbeat, set_depth,
 * telemetry, fault_report) with the C reference codec: pack, frame, stream-decode, unpack.
 * Returns a checksum of the decoded values so the work cannot be optimised away. */
uint64_t c_wire_roundtrips(uint64_t rounds);
#endif
