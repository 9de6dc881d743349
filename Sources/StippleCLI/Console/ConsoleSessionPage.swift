/// Session: the passes so far, notes, ending (which seals the record) and the exports. Ending
/// asks first, on the page, because a sealed session takes no more passes.
enum ConsoleSessionPage {
    static let main = #"""
        <h1>Session</h1>
        <section class="card" id="summary"><p class="muted">Loading…</p></section>
        <section class="card" id="end-card">
          <h2 id="end-title">End the session</h2>
          <button type="button" class="primary big" id="end">End session…</button>
          <div class="confirm" id="end-confirm" hidden>
            <p>Ending seals the record: no more passes or notes can be added to this session.</p>
            <button type="button" class="primary" id="end-yes">Yes, end and seal</button>
            <button type="button" id="end-no">Cancel</button>
          </div>
          <div id="seal" class="seal" hidden></div>
        </section>
        <section class="card" id="exports" hidden>
          <h2>Export the record</h2>
          <div class="exports">
            <a class="button" id="export-html" download>HTML report</a>
            <a class="button" id="export-fhir" download>FHIR bundle</a>
            <a class="button" id="export-csv" download>CSV</a>
            <a class="button" id="export-json" download>JSON</a>
          </div>
        </section>
        <section class="card" id="passes-card">
          <h2>Passes</h2>
          <div class="table-wrap">
          <table id="passes">
            <thead></thead>
            <tbody><tr><td class="muted">Loading…</td></tr></tbody>
          </table>
          </div>
        </section>
        <section class="card" id="notes-card">
          <h2>Notes</h2>
          <ul id="notes" class="notes"></ul>
          <form id="note-form" class="note-form">
            <label for="note-text">Add a note to the record</label>
            <textarea id="note-text" rows="3"></textarea>
            <button type="submit" id="note-add">Add note</button>
          </form>
        </section>
        """#
}
