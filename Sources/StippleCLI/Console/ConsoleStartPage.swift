/// Start: who is treated, by whom, with which pigment lots and which cartridge, then "Begin
/// session". Every list comes from the API; every refusal (missing consent, expired lot, reused
/// cartridge, no calibration) comes back from the server and shows in the banner.
enum ConsoleStartPage {
    static let main = #"""
        <h1>Start a session</h1>
        <div class="notice" id="open-session" hidden><p id="open-session-text"></p><a class="button" href="/treat">Go to Treat</a></div>
        <form id="start-form" class="start-grid" novalidate>
        <fieldset class="card">
          <legend>Client</legend>
          <label for="client">Client (consent on file)</label>
          <select id="client" name="client" required><option value="">Loading…</option></select>
          <p class="detail" id="client-detail"></p>
          <details id="client-add">
            <summary>Add a client</summary>
            <div class="add">
              <label for="client-id">Client ID</label><input id="client-id" autocomplete="off" autocapitalize="none" spellcheck="false">
              <label for="client-name">Name</label><input id="client-name" autocomplete="off">
              <label for="client-born">Date of birth</label><input id="client-born" type="date">
              <label for="client-consent">Consent reference</label><input id="client-consent" autocomplete="off">
              <label for="client-consent-signed">Consent signed on</label><input id="client-consent-signed" type="date">
              <button type="button" id="client-add-button">Add client</button>
            </div>
          </details>
        </fieldset>
        <fieldset class="card">
          <legend>Operator</legend>
          <label for="operator">Operator</label>
          <select id="operator" name="operator" required><option value="">Loading…</option></select>
          <details id="operator-add">
            <summary>Add an operator</summary>
            <div class="add">
              <label for="operator-id">Operator ID</label><input id="operator-id" autocomplete="off" autocapitalize="none" spellcheck="false">
              <label for="operator-name">Name</label><input id="operator-name" autocomplete="off">
              <button type="button" id="operator-add-button">Add operator</button>
            </div>
          </details>
        </fieldset>
        <fieldset class="card">
          <legend>Needle cartridge</legend>
          <div class="cartridge-row">
            <div><label for="cartridge-type">Cartridge type</label>
            <select id="cartridge-type" required><option value="">Loading…</option></select></div>
            <div><label for="cartridge-id">Cartridge ID (type or scan)</label>
            <input id="cartridge-id" inputmode="numeric" pattern="[0-9]*" autocomplete="off" placeholder="scan the pack's barcode"></div>
            <div><label for="cartridge-lot">Cartridge lot</label>
            <input id="cartridge-lot" autocomplete="off" autocapitalize="characters"></div>
          </div>
          <p class="detail" id="cartridge-detail"></p>
        </fieldset>
        <fieldset class="card wide">
          <legend>Pigment lots (ink passport)</legend>
          <p class="detail">Choose every lot used in this session. Expired lots are shown and cannot be chosen.</p>
          <div id="pigments" class="pigment-list"><p class="muted">Loading…</p></div>
          <details id="pigment-add">
            <summary>Add a pigment lot</summary>
            <div class="add add-grid">
              <label for="pigment-brand">Brand</label><input id="pigment-brand" autocomplete="off">
              <label for="pigment-name">Pigment name</label><input id="pigment-name" autocomplete="off">
              <label for="pigment-batch">Batch</label><input id="pigment-batch" autocomplete="off">
              <label for="pigment-lot">Lot</label><input id="pigment-lot" autocomplete="off">
              <label for="pigment-expiry">Expiry</label><input id="pigment-expiry" type="date">
              <label for="pigment-dilution">Dilution (parts diluent per part pigment)</label><input id="pigment-dilution" inputmode="decimal" placeholder="0 = undiluted, 1 = 1:1">
              <button type="button" id="pigment-add-button">Add pigment lot</button>
            </div>
          </details>
        </fieldset>
        <div class="actions wide">
          <button type="submit" class="primary big" id="begin">Begin session</button>
        </div>
        </form>
        """#
}
