/// Machine: what the technician last did to it (calibration, self-test) and what it runs;
/// read-only, because calibration is a technician's job at the command line.
enum ConsoleMachinePage {
    static let main = #"""
        <h1>Machine</h1>
        <div id="machine" class="machine-grid"><p class="muted">Loading…</p></div>
        <p class="detail">Read-only. Calibrate and self-test with <code>stipple calibrate</code> and <code>stipple selftest</code> on the controller.</p>
        """#
}
