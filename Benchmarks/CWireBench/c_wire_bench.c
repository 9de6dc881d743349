#include <stddef.h>
#include "c_wire_bench.h"
#include "stipple_proto.h"

typedef struct { uint64_t sum; } sink;

static void on_event(const sp_event *ev, void *ctx) {
    sink *s = (sink *)ctx;
    if (ev->kind != SP_EV_FRAME || ev->message_check != SP_MSG_OK) return;
    switch (ev->payload[0]) {
    case SP_ID_HEARTBEAT: { sp_heartbeat m; if (sp_unpack_heartbeat(ev->payload, ev->payload_len, &m)) s->sum += m.counter; break; }
    case SP_ID_SET_DEPTH: { sp_set_depth m; if (sp_unpack_set_depth(ev->payload, ev->payload_len, &m)) s->sum += m.depth_um; break; }
    case SP_ID_TELEMETRY: { sp_telemetry m; if (sp_unpack_telemetry(ev->payload, ev->payload_len, &m)) s->sum += m.stroke_count + (uint64_t)m.depth_um; break; }
    case SP_ID_FAULT_REPORT: { sp_fault_report m; if (sp_unpack_fault_report(ev->payload, ev->payload_len, &m)) s->sum += m.code; break; }
    default: break;
    }
}

uint64_t c_wire_roundtrips(uint64_t rounds) {
    sp_decoder d;
    sp_decoder_init(&d);
    sink s = {0};
    uint8_t frame[SP_MAX_FRAME];
    for (uint64_t i = 0; i < rounds; i++) {
        uint8_t seq = (uint8_t)(i & 0x7F);
        size_t n;
        sp_heartbeat hb = { (uint32_t)i };
        n = sp_pack_heartbeat(frame + 4, SP_MAX_PAYLOAD, &hb);
        n = sp_frame_encode(frame, sizeof frame, seq, 3, false, frame + 4, n);
        sp_decoder_feed(&d, frame, n, on_event, &s);
        sp_set_depth sd = { 800 + (uint32_t)(i & 0xFF), 8000 };
        n = sp_pack_set_depth(frame + 4, SP_MAX_PAYLOAD, &sd);
        n = sp_frame_encode(frame, sizeof frame, seq, 3, false, frame + 4, n);
        sp_decoder_feed(&d, frame, n, on_event, &s);
        sp_telemetry t = { i * 1000, 120000, 812, 310, (uint32_t)i, 0x63 };
        n = sp_pack_telemetry(frame + 4, SP_MAX_PAYLOAD, &t);
        n = sp_frame_encode(frame, sizeof frame, seq, 3, false, frame + 4, n);
        sp_decoder_feed(&d, frame, n, on_event, &s);
        sp_fault_report f = { i * 1000, (uint16_t)(1 + (i & 7)), -5 };
        n = sp_pack_fault_report(frame + 4, SP_MAX_PAYLOAD, &f);
        n = sp_frame_encode(frame, sizeof frame, seq, 3, false, frame + 4, n);
        sp_decoder_feed(&d, frame, n, on_event, &s);
    }
    return s.sum;
}
