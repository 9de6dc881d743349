/// The console's one stylesheet. Built for a 10-inch touch screen at arm's length: 20 px text,
/// targets of 48 px or more, dark on light, nothing that needs a hover.
enum ConsoleStyles {
    static let css = #"""
        :root {
          --ink: #111418; --muted: #4a5360; --paper: #ffffff; --ground: #eef1f5; --line: #9aa4b1;
          --blue: #1f4e8c; --blue-ink: #ffffff; --red: #b3141b; --red-dark: #7d0d12; --amber: #8a5a00;
          --amber-ground: #fff1cc; --green: #1b6b34; --focus: #e07b00;
          font-size: 20px;
        }
        * { box-sizing: border-box; }
        /* The script shows and hides with the hidden attribute; no display rule may override it. */
        [hidden] { display: none !important; }
        html, body { margin: 0; background: var(--ground); color: var(--ink); }
        body { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; line-height: 1.4; }
        h1 { font-size: 1.4rem; margin: 0 0 10px; }
        h2 { font-size: 1.2rem; margin: 0 0 10px; }
        code { font-size: 0.9em; background: var(--ground); padding: 0 4px; border-radius: 4px; }
        :focus-visible { outline: 4px solid var(--focus); outline-offset: 2px; }

        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 8px 16px;
          background: #1b2430; color: #fff; }
        .brand { display: flex; align-items: center; gap: 10px; font-size: 1.1rem; }
        .brand .app { font-weight: 700; letter-spacing: 0.02em; }
        .brand .machine { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        .badge { font-size: 0.9rem; font-weight: 700; padding: 4px 10px; border-radius: 6px; letter-spacing: 0.06em; }
        .badge.sim { background: #ffd24a; color: #1b1300; }
        .badge.real { background: #ffffff; color: #1b2430; }
        nav { display: flex; gap: 6px; }
        nav a { display: inline-flex; align-items: center; min-height: 52px; min-width: 96px; justify-content: center;
          padding: 0 18px; color: #fff; text-decoration: none; border-radius: 8px; font-weight: 600; }
        nav a[aria-current="page"] { background: #fff; color: #1b2430; }
        .live-pill { margin-left: auto; font-weight: 700; padding: 6px 12px; border-radius: 999px; background: #33404f; }
        .live-pill:empty { display: none; }
        .live-pill[data-state="running"] { background: var(--green); }
        .live-pill[data-state="armed"] { background: var(--blue); }
        .live-pill[data-state="fault"], .live-pill[data-state="e-stopped"] { background: var(--red); }

        .banner { display: flex; align-items: center; gap: 16px; margin: 0; padding: 12px 16px;
          background: #fde8e8; color: var(--red-dark); border-bottom: 4px solid var(--red); font-weight: 600; }
        .banner[hidden] { display: none; }
        .banner p { margin: 0; flex: 1; white-space: pre-wrap; }
        .banner.info { background: #e6f2ea; color: #0f3d1e; border-color: var(--green); }

        main { padding: 16px; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin: 0 0 14px; min-width: 0; }
        fieldset.card { margin: 0; }
        legend { font-weight: 700; font-size: 1.1rem; padding: 0 6px; }
        label { display: block; font-weight: 600; margin: 10px 0 4px; }
        input, select, textarea { font: inherit; font-size: 1rem; width: 100%; min-height: 52px; padding: 8px 12px;
          border: 2px solid var(--line); border-radius: 8px; background: #fff; color: var(--ink); }
        textarea { min-height: 96px; }
        input:focus, select:focus, textarea:focus { border-color: var(--blue); }
        button, .button { font: inherit; font-weight: 600; display: inline-flex; align-items: center; justify-content: center;
          min-height: 52px; min-width: 120px; padding: 8px 20px; border-radius: 8px; border: 2px solid var(--ink);
          background: #fff; color: var(--ink); text-decoration: none; cursor: pointer; touch-action: manipulation; }
        button:active, .button:active { transform: translateY(1px); }
        button:disabled { opacity: 0.45; cursor: not-allowed; }
        button.primary, .button.primary { background: var(--blue); border-color: var(--blue); color: var(--blue-ink); }
        button.danger { background: var(--red); border-color: var(--red); color: #fff; }
        button.big { min-height: 64px; font-size: 1.2rem; padding: 8px 32px; }
        .muted { color: var(--muted); }
        .detail { color: var(--muted); font-size: 0.9rem; margin: 6px 0; }
        details { margin-top: 12px; }
        summary { display: flex; align-items: center; min-height: 52px; padding: 0 12px; border: 2px dashed var(--line);
          border-radius: 8px; font-weight: 600; cursor: pointer; list-style: none; }
        summary::before { content: "+"; font-size: 1.3rem; margin-right: 10px; }
        details[open] summary::before { content: "−"; }
        .add { padding: 4px 0 0; }
        .add button { margin-top: 12px; }
        .notice { display: flex; align-items: center; gap: 16px; padding: 12px 16px; margin-bottom: 14px;
          background: var(--amber-ground); border: 2px solid var(--amber); border-radius: 10px; }
        .notice[hidden] { display: none; }
        .notice p { margin: 0; flex: 1; }

        /* Start */
        .start-grid { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 14px; }
        .start-grid .wide { grid-column: 1 / -1; }
        .add-grid { display: grid; grid-template-columns: 1fr 1fr; column-gap: 16px; }
        .add-grid label { grid-column: auto; }
        .add-grid button { grid-column: 1 / -1; justify-self: start; }
        .pigment-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 10px; }
        .pigment { display: flex; gap: 12px; align-items: flex-start; min-height: 64px; padding: 10px 12px;
          border: 2px solid var(--line); border-radius: 8px; font-weight: 400; margin: 0; cursor: pointer; }
        .pigment input { width: 32px; min-height: 32px; height: 32px; margin: 2px 0 0; flex: none; }
        .pigment.chosen { border-color: var(--blue); background: #e9f0fa; }
        .pigment.expired { border-style: dashed; background: #f6f6f6; color: var(--muted); cursor: not-allowed; }
        .pigment .tag { display: inline-block; font-size: 0.9rem; font-weight: 700; color: #fff; background: var(--red);
          padding: 1px 8px; border-radius: 4px; margin-left: 6px; }
        .cartridge-row { display: grid; grid-template-columns: 1fr; }
        .cartridge-row label { margin-top: 4px; }
        /* Begin stays in reach at the bottom of the screen however long the lists grow. */
        /* Only the button floats: what scrolls beside it stays tappable. */
        .actions { display: flex; justify-content: flex-end; position: sticky; bottom: 0; padding: 10px 0; pointer-events: none; }
        .actions button { pointer-events: auto; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.3); }

        /* Treat */
        main.page-treat { display: grid; grid-template-columns: minmax(300px, 430px) 1fr minmax(300px, 380px); gap: 16px; align-items: start; }
        .map-col h1 { margin-bottom: 4px; }
        svg.scalp { width: 100%; height: auto; max-height: calc(100vh - 150px); display: block; touch-action: manipulation; user-select: none; }
        svg.scalp .head { fill: #ffffff; stroke: #444; stroke-width: 1.5; }
        svg.scalp .front { font-size: 10px; fill: var(--muted); }
        svg.scalp .zone { cursor: pointer; outline: none; }
        svg.scalp .zone-hit { fill: #ffffff; fill-opacity: 0.01; stroke: none; }
        svg.scalp .zone-base { fill: #e4ebf5; stroke: var(--blue); stroke-width: 1; }
        svg.scalp .zone-shade { fill: var(--blue); stroke: none; pointer-events: none; }
        svg.scalp .zone-label { font-size: 10px; font-weight: 700; fill: #111418; pointer-events: none; }
        svg.scalp .zone-count { font-size: 9px; font-weight: 700; fill: #111418; pointer-events: none; }
        svg.scalp .zone.dark .zone-label, svg.scalp .zone.dark .zone-count { fill: #ffffff; }
        svg.scalp .zone[aria-pressed="true"] .zone-base { stroke: var(--focus); stroke-width: 3.5; }
        svg.scalp .zone:focus-visible .zone-base { stroke: var(--focus); stroke-width: 3.5; }
        .profile-list { display: flex; flex-direction: column; gap: 10px; }
        .profile { display: block; width: 100%; text-align: left; padding: 12px 16px; min-height: 88px; border: 2px solid var(--blue); background: #fff; }
        .profile .name { display: block; font-size: 1.15rem; font-weight: 700; margin-bottom: 4px; }
        .profile .figures { display: flex; flex-wrap: wrap; gap: 4px 18px; font-weight: 400; }
        .profile .figures b { font-weight: 700; }
        .profile.armed-now { background: var(--blue); color: #fff; }
        .armed { margin-top: 14px; padding: 12px 14px; border-radius: 10px; background: #e9f0fa; border: 2px solid var(--blue); }
        .armed[hidden] { display: none; }
        .armed p { margin: 0 0 8px; font-weight: 600; }
        .live-col { display: flex; flex-direction: column; gap: 12px; }
        .stop-dock { position: sticky; top: 8px; z-index: 5; display: flex; flex-direction: column; gap: 10px; }
        button.stop { width: 100%; min-height: 120px; font-size: 2.6rem; font-weight: 800; letter-spacing: 0.1em;
          background: var(--red); border: 4px solid var(--red-dark); color: #fff; border-radius: 14px; box-shadow: 0 4px 0 var(--red-dark); }
        button.stop:active { transform: translateY(3px); box-shadow: 0 1px 0 var(--red-dark); }
        .latched { background: #fde8e8; border: 3px solid var(--red); border-radius: 10px; padding: 10px 12px; }
        .latched[hidden] { display: none; }
        .latched p { margin: 0 0 8px; }
        .confirm { margin-top: 10px; padding: 10px 12px; border: 3px solid var(--amber); background: var(--amber-ground); border-radius: 10px; }
        .confirm[hidden] { display: none; }
        .confirm p { margin: 0 0 10px; font-weight: 600; }
        .confirm button { margin: 0 8px 8px 0; min-width: 0; }
        .state { font-size: 1.8rem; font-weight: 800; text-align: center; padding: 10px; border-radius: 10px;
          background: #dfe4ea; text-transform: uppercase; letter-spacing: 0.05em; }
        .state[data-state="armed"] { background: var(--blue); color: #fff; }
        .state[data-state="running"] { background: var(--green); color: #fff; }
        .state[data-state="paused"] { background: var(--amber-ground); color: var(--amber); }
        .state[data-state="fault"], .state[data-state="e-stopped"] { background: var(--red); color: #fff; }
        .fault { background: #fde8e8; border: 3px solid var(--red); border-radius: 10px; padding: 10px 12px; }
        .fault[hidden] { display: none; }
        .fault p { margin: 0 0 6px; }
        .fault-name { font-weight: 800; color: var(--red-dark); }
        .readings { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 4px 12px; }
        .readings div { display: flex; justify-content: space-between; gap: 10px; padding: 6px 0; border-bottom: 1px solid #e1e5ea; }
        .readings div:last-child { border-bottom: 0; }
        .readings div { align-items: baseline; }
        .readings dt { color: var(--muted); font-size: 0.9rem; }
        .readings dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
        .readings dd#zone-profile { white-space: normal; }
        button.pedal { width: 100%; min-height: 96px; flex-direction: column; font-size: 1.3rem; border: 3px dashed var(--ink); background: #fff; }
        button.pedal small { font-size: 0.9rem; font-weight: 400; }
        button.pedal[aria-pressed="true"] { background: var(--green); color: #fff; border-style: solid; border-color: var(--green); }
        .conn { font-size: 0.9rem; color: var(--muted); margin: 0; }

        /* Session */
        .table-wrap { overflow-x: auto; }
        table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 10px 8px; border-bottom: 1px solid #d5dbe2; vertical-align: top; }
        th { font-size: 0.9rem; color: var(--muted); }
        .summary-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 6px 20px; margin: 0; }
        .summary-grid dt { font-size: 0.9rem; color: var(--muted); }
        .summary-grid dd { margin: 0 0 6px; font-weight: 700; overflow-wrap: anywhere; }
        .notes { padding-left: 24px; margin: 0 0 10px; }
        .notes li { margin-bottom: 6px; }
        .note-form button { margin-top: 10px; }
        .seal { margin-top: 12px; }
        .seal .verified { color: var(--green); font-weight: 800; font-size: 1.2rem; }
        .seal .unverified { color: var(--red); font-weight: 800; font-size: 1.2rem; }
        .seal dd { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9rem; overflow-wrap: anywhere; }
        .exports { display: flex; flex-wrap: wrap; gap: 12px; }
        .exports .button { min-width: 180px; }

        /* Machine */
        .machine-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 14px; }
        .machine-grid dl { margin: 0; }
        .machine-grid dl div { display: flex; justify-content: space-between; gap: 12px; padding: 6px 0; border-bottom: 1px solid #e1e5ea; }
        .machine-grid dt { color: var(--muted); }
        .machine-grid dd { margin: 0; font-weight: 700; text-align: right; overflow-wrap: anywhere; }
        .status-ok { color: var(--green); }
        .status-bad { color: var(--red); }

        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        body.stale .state, body.stale .readings { opacity: 0.5; }

        /* Login */
        .narrow { max-width: 520px; }
        .narrow button { margin-top: 14px; }

        @media (max-width: 1000px) {
          main.page-treat { grid-template-columns: 1fr 1fr; }
          .live-col { grid-column: 1 / -1; grid-row: 1; }
          .stop-dock { position: fixed; right: 12px; bottom: 12px; width: 260px; }
          .start-grid, .cartridge-row, .add-grid { grid-template-columns: 1fr; }
        }
        """#
}
