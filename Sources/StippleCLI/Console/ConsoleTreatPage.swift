/// Treat: the scalp map, the chosen zone's valid profiles (choosing one arms), the live machine
/// state, and the STOP button, which is on screen whatever else the page shows.
enum ConsoleTreatPage {
    static func main(simulated: Bool) -> String {
        // The real pedal is hardware; only the simulator takes a pedal from the page.
        let pedal = simulated
            ? #"""
              <div class="pedal-box">
                <button type="button" class="pedal" id="pedal" aria-pressed="false">Pedal is UP<small>tap to press down · hold to press while held</small></button>
              </div>
              """#
            : ""
        return #"""
            <section class="map-col" aria-labelledby="map-title">
              <h1 id="map-title" class="visually-hidden">Treat</h1>
              \#(ConsoleScalpMap.svg)
              <p class="detail">Tap a zone. Darker zones had more passes this session.</p>
            </section>
            <section class="profiles-col" aria-labelledby="zone-title">
              <h2 id="zone-title">Choose a zone</h2>
              <div id="profiles" class="profile-list"><p class="muted">Tap a zone on the map to see the profiles valid for it with this session's cartridge. Choosing one arms the machine.</p></div>
              <div class="armed" id="armed" hidden>
                <p id="armed-text"></p>
                <button type="button" id="disarm">Disarm</button>
              </div>
            </section>
            <section class="live-col" aria-label="Machine state">
              <div class="stop-dock">
                <button type="button" class="stop" id="stop">STOP</button>
              </div>
              <div class="state" id="state" data-state="">—</div>
              <div class="fault" id="fault" hidden><p class="fault-name" id="fault-name"></p><p id="fault-advice"></p></div>
              <div class="latched" id="latched" hidden>
                <p><strong>Stopped and latched.</strong> The needle stays stopped until reset.</p>
                <button type="button" id="reset">Reset…</button>
                <div class="confirm" id="reset-confirm" hidden>
                  <p>Reset only when the cause is cleared and the needle is clear of the skin.</p>
                  <button type="button" class="danger" id="reset-yes">Yes, reset</button>
                  <button type="button" id="reset-no">Cancel</button>
                </div>
              </div>
              <dl class="readings">
                <div><dt>Rate set / actual</dt><dd><span id="rate-set">—</span> / <span id="rate">—</span></dd></div>
                <div><dt>Depth set / actual</dt><dd><span id="depth-set">—</span> / <span id="depth">—</span></dd></div>
                <div><dt>Strokes</dt><dd id="strokes">—</dd></div>
                <div><dt>Pass time</dt><dd id="pass-time">—</dd></div>
                <div><dt>Zone · profile</dt><dd id="zone-profile">—</dd></div>
                <div><dt>Passes this session</dt><dd id="session-passes">—</dd></div>
              </dl>
              \#(pedal)
              <p class="conn" id="conn">Live state: connecting…</p>
            </section>
            """#
    }
}
