/// The console's one script: plain JavaScript, no framework, no build step. It calls the JSON API
/// (same-origin cookie; POSTs send JSON, the browser adds Origin), shows every error's message in
/// the banner, and follows the live state over /ws/status, polling /api/state when the socket
/// fails. It builds the DOM with textContent only, so nothing from the journal becomes markup.
enum ConsoleScript {
    static let js = #"""
        'use strict';
        (function () {
          const body = document.body;
          const page = body.dataset.page;
          const simulated = body.dataset.simulated === 'true';
          const $ = (id) => document.getElementById(id);

          // ---------- DOM and formatting helpers ----------
          function el(tag, attrs, ...children) {
            const n = document.createElement(tag);
            for (const [k, v] of Object.entries(attrs || {})) {
              if (v === undefined || v === null || v === false) continue;
              if (k === 'class') n.className = v;
              else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
              else n.setAttribute(k, v === true ? '' : String(v));
            }
            for (const c of children.flat()) {
              if (c === undefined || c === null || c === false) continue;
              n.append(c instanceof Node ? c : document.createTextNode(String(c)));
            }
            return n;
          }
          const num = (v) => typeof v === 'number' && isFinite(v);
          const fixed = (v, digits, unit) => num(v) ? v.toFixed(digits) + (unit ? '\u00a0' + unit : '') : '—';
          function clock(seconds) {
            if (!num(seconds)) return '—';
            const m = Math.floor(seconds / 60), s = seconds - m * 60;
            return m + ':' + (s < 10 ? '0' : '') + s.toFixed(1);
          }
          function text(v) {
            if (v === undefined || v === null || v === '') return '—';
            if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v)) return v.slice(0, 10) + ' ' + v.slice(11, 19) + ' UTC';
            if (typeof v === 'boolean') return v ? 'yes' : 'no';
            if (typeof v === 'object') {
              if (Array.isArray(v)) return v.map(text).join(', ');
              if (v.type !== undefined && v.id !== undefined) return v.type + ' #' + v.id + (v.lot ? ', lot ' + v.lot : '');
              if (v.name && v.id && v.name !== v.id) return v.name + ' (' + v.id + ')';
              if (v.name || v.id) return String(v.name || v.id);
              return Object.entries(v).map(([k, x]) => k + ': ' + text(x)).join(', ');
            }
            return String(v);
          }
          // A hash at a glance: its first 16 hex digits.
          const short = (h) => typeof h === 'string' && h.length > 20 ? h.slice(0, 16) + '…' : text(h);
          const pick = (o, ...keys) => { for (const k of keys) if (o && o[k] !== undefined && o[k] !== null) return o[k]; return undefined; };
          const zoneLabels = {
            'frontal-hairline': 'Frontal hairline', 'temple-left': 'Temple (left)', 'temple-right': 'Temple (right)',
            'mid-scalp': 'Mid-scalp', 'crown': 'Crown', 'side-left': 'Side (left)', 'side-right': 'Side (right)',
            'occipital': 'Occipital', 'donor-scar': 'Donor scar'
          };
          const zoneLabel = (z) => zoneLabels[z] || (z ? String(z) : '—');

          // ---------- the banner: every error the API or the network gives, in words ----------
          let bannerTimer = null;
          function showBanner(message, kind) {
            const b = $('banner');
            if (!b) { return; }
            $('banner-text').textContent = message;
            b.classList.toggle('info', kind === 'info');
            b.hidden = false;
            // A confirmation fades after a while; an error stays until dismissed or replaced.
            clearTimeout(bannerTimer);
            if (kind === 'info') bannerTimer = setTimeout(() => { if (b.classList.contains('info')) b.hidden = true; }, 6000);
          }
          const showError = (message) => showBanner(message, 'error');
          const showInfo = (message) => showBanner(message, 'info');
          function clearBanner() { const b = $('banner'); if (b) b.hidden = true; }
          if ($('banner-close')) $('banner-close').addEventListener('click', clearBanner);

          // ---------- the JSON API ----------
          class ApiError extends Error {
            constructor(message, status) { super(message); this.status = status; }
          }
          async function api(method, path, payload) {
            const options = { method, credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } };
            if (method !== 'GET') {
              options.headers['Content-Type'] = 'application/json';
              options.body = JSON.stringify(payload === undefined ? {} : payload);
            }
            let res;
            try {
              res = await fetch(path, options);
            } catch (e) {
              throw new ApiError('The console did not answer (' + method + ' ' + path + ': ' + e.message + '). Check that stipple console is still running on the controller.', 0);
            }
            const raw = await res.text();
            let data = null;
            if (raw) { try { data = JSON.parse(raw); } catch (e) { data = null; } }
            if (res.status === 401 && page !== 'login') {
              location.assign('/login?next=' + encodeURIComponent(location.pathname));
            }
            if (!res.ok) {
              const why = data && typeof data.error === 'string' ? data.error : (res.status + ' ' + res.statusText + (raw ? ': ' + raw.slice(0, 300) : ''));
              throw new ApiError(why, res.status);
            }
            return data;
          }
          // Runs one user action: the button is disabled while it runs, its error goes to the banner.
          async function act(button, fn) {
            if (button) button.disabled = true;
            try { return await fn(); }
            catch (e) { showError(e.message); return undefined; }
            finally { if (button) button.disabled = false; }
          }

          // ---------- live state: WebSocket, else polling ----------
          function followLiveState(onState) {
            const conn = $('conn');
            const say = (t) => { if (conn) conn.textContent = t; };
            let socket = null, polling = false, lastAt = 0, pollFailed = false;
            function deliver(s) {
              lastAt = Date.now();
              onState(s);
            }
            async function poll() {
              if (!polling) return;
              try {
                deliver(await api('GET', '/api/state'));
                if (pollFailed) { pollFailed = false; clearBanner(); }
                say('Live state: polling every 0.5 s (the live socket is not available)');
              } catch (e) {
                if (!pollFailed) showError('Live state unavailable: ' + e.message);
                pollFailed = true;
                say('Live state: unavailable');
              }
              if (polling) setTimeout(poll, 500);
            }
            function startPolling() { if (!polling) { polling = true; poll(); } }
            function connect() {
              const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/status';
              try { socket = new WebSocket(url); } catch (e) { startPolling(); return; }
              socket.onopen = () => { polling = false; say('Live state: connected'); };
              socket.onmessage = (ev) => { try { deliver(JSON.parse(ev.data)); } catch (e) { /* a frame that is not JSON is skipped */ } };
              socket.onclose = () => { socket = null; startPolling(); setTimeout(connect, 5000); };
            }
            // A display that silently stops updating is worse than none: say when it is stale.
            setInterval(() => {
              if (lastAt && Date.now() - lastAt > 2000) {
                say('Live state: no update for ' + Math.round((Date.now() - lastAt) / 1000) + ' s: the values shown may be old');
                body.classList.add('stale');
              } else body.classList.remove('stale');
            }, 1000);
            if ('WebSocket' in window) connect(); else startPolling();
          }
          function showPill(s) {
            const pill = $('live-pill');
            if (!pill || !s) return;
            pill.dataset.state = s.state || '';
            pill.textContent = s.state ? s.state.toUpperCase() : '';
          }

          // ---------- Start ----------
          async function startPage() {
            const form = $('start-form');
            const chosenLots = new Set();

            async function loadClients(select) {
              const clients = await api('GET', '/api/clients') || [];
              const sel = $('client');
              sel.replaceChildren(el('option', { value: '' }, clients.length ? 'Choose the client…' : 'No clients yet: add one below'));
              for (const c of clients) {
                const consent = c.consent ? ' — consent ' + text(c.consent.reference) + ', signed ' + text(c.consent.signed) : '';
                sel.append(el('option', { value: c.id }, (c.name || c.id) + ' (' + c.id + ')' + consent));
              }
              if (select) sel.value = select;
              if (!clients.length) $('client-add').open = true;
            }
            async function loadOperators(select) {
              const ops = await api('GET', '/api/operators') || [];
              const sel = $('operator');
              sel.replaceChildren(el('option', { value: '' }, ops.length ? 'Choose the operator…' : 'No operators yet: add one below'));
              for (const o of ops) sel.append(el('option', { value: o.id }, (o.name || o.id) + ' (' + o.id + ')'));
              if (select) sel.value = select;
              if (!ops.length) $('operator-add').open = true;
            }
            async function loadPigments(select) {
              const lots = await api('GET', '/api/pigments') || [];
              if (select) chosenLots.add(select);
              const box = $('pigments');
              box.replaceChildren();
              if (!lots.length) { box.append(el('p', { class: 'muted' }, 'No pigment lots yet: add one below.')); $('pigment-add').open = true; }
              for (const p of lots) {
                const id = 'lot-' + p.lot;
                if (p.expired) chosenLots.delete(p.lot);
                const box2 = el('input', { type: 'checkbox', id, value: p.lot, disabled: !!p.expired, checked: chosenLots.has(p.lot) });
                const label = el('label', { class: 'pigment' + (p.expired ? ' expired' : '') + (chosenLots.has(p.lot) ? ' chosen' : ''), for: id },
                  box2,
                  el('span', {},
                    el('strong', {}, (p.brand || '') + ' ' + (p.name || '')), p.expired ? el('span', { class: 'tag' }, 'EXPIRED') : null, el('br'),
                    'Lot ' + p.lot + ' · batch ' + text(p.batch) + ' · expires ' + text(p.expiry) + ' · dilution ' + text(p.dilution)));
                box2.addEventListener('change', () => {
                  if (box2.checked) chosenLots.add(p.lot); else chosenLots.delete(p.lot);
                  label.classList.toggle('chosen', box2.checked);
                });
                box.append(label);
              }
            }
            async function loadCartridges() {
              const types = await api('GET', '/api/cartridges') || [];
              const sel = $('cartridge-type');
              sel.replaceChildren(el('option', { value: '' }, 'Choose the cartridge type…'));
              for (const t of types) {
                const facts = [t.needles ? t.needles + ' needle' + (t.needles === 1 ? '' : 's') : null,
                  num(t.maxDepthMm) ? 'max ' + t.maxDepthMm.toFixed(2) + ' mm' : null,
                  t.singleUse ? 'single use' : null].filter(Boolean).join(', ');
                sel.append(el('option', { value: t.name }, t.name + (facts ? ' — ' + facts : '')));
              }
              if (types.length === 1) sel.value = types[0].name;
            }
            async function loadOpenSession() {
              const s = await api('GET', '/api/session');
              const notice = $('open-session');
              if (s && s.open) {
                $('open-session-text').textContent = 'A session is open for ' + text(s.client) + ' (operator ' + text(s.operator) + '). End it on the Session page before starting another.';
                notice.hidden = false;
              } else notice.hidden = true;
            }

            const value = (id) => $(id).value.trim();
            function require(fields) {
              const missing = fields.filter(([id]) => !value(id)).map(([, name]) => name);
              if (missing.length) throw new ApiError('Missing: ' + missing.join(', ') + '. Fill them in, then try again.', 400);
            }

            $('client-add-button').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              require([['client-id', 'client ID'], ['client-name', 'name'], ['client-born', 'date of birth'], ['client-consent', 'consent reference'], ['client-consent-signed', 'consent signed date']]);
              const c = await api('POST', '/api/clients', { id: value('client-id'), name: value('client-name'), born: value('client-born'),
                consentReference: value('client-consent'), consentSigned: value('client-consent-signed') });
              const id = (c && c.id) || value('client-id');
              await loadClients(id);
              for (const f of ['client-id', 'client-name', 'client-born', 'client-consent', 'client-consent-signed']) $(f).value = '';
              $('client-add').open = false;
              showInfo('Client ' + id + ' added.');
            }));
            $('operator-add-button').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              require([['operator-id', 'operator ID'], ['operator-name', 'name']]);
              await api('POST', '/api/operators', { id: value('operator-id'), name: value('operator-name') });
              const id = value('operator-id');
              await loadOperators(id);
              $('operator-id').value = ''; $('operator-name').value = '';
              $('operator-add').open = false;
              showInfo('Operator ' + id + ' added.');
            }));
            $('pigment-add-button').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              require([['pigment-brand', 'brand'], ['pigment-name', 'pigment name'], ['pigment-batch', 'batch'], ['pigment-lot', 'lot'], ['pigment-expiry', 'expiry'], ['pigment-dilution', 'dilution']]);
              const dilution = Number(value('pigment-dilution').replace(',', '.'));
              if (!isFinite(dilution)) throw new ApiError('Dilution "' + value('pigment-dilution') + '" is not a number: give the parts of diluent per part of pigment (0 = undiluted, 1 = 1:1).', 400);
              const lot = value('pigment-lot');
              await api('POST', '/api/pigments', { brand: value('pigment-brand'), name: value('pigment-name'), batch: value('pigment-batch'),
                lot, expiry: value('pigment-expiry'), dilution });
              await loadPigments(lot);
              for (const f of ['pigment-brand', 'pigment-name', 'pigment-batch', 'pigment-lot', 'pigment-expiry', 'pigment-dilution']) $(f).value = '';
              $('pigment-add').open = false;
              showInfo('Pigment lot ' + lot + ' added and chosen for this session.');
            }));
            form.addEventListener('submit', (ev) => {
              ev.preventDefault();
              act($('begin'), async () => {
                require([['client', 'client'], ['operator', 'operator'], ['cartridge-type', 'cartridge type'], ['cartridge-id', 'cartridge ID'], ['cartridge-lot', 'cartridge lot']]);
                if (!chosenLots.size) throw new ApiError('No pigment lot chosen: tick every lot used in this session (add it first if it is new).', 400);
                const idText = value('cartridge-id');
                if (!/^[0-9]+$/.test(idText)) throw new ApiError('Cartridge ID "' + idText + '" is not a number: type or scan the number printed on the cartridge pack.', 400);
                await api('POST', '/api/session', {
                  client: value('client'), operator: value('operator'), pigments: Array.from(chosenLots),
                  cartridge: { type: value('cartridge-type'), id: Number(idText), lot: value('cartridge-lot') }
                });
                location.assign('/treat');
              });
            });

            // The scanner types into whatever has focus: the cartridge ID has it from the start. Focused
            // by script, not the autofocus attribute, so the page does not scroll away from its top.
            $('cartridge-id').focus({ preventScroll: true });
            // The lists load independently, so one failing does not leave the others empty.
            for (const load of [loadClients, loadOperators, loadPigments, loadCartridges, loadOpenSession]) {
              load().catch((e) => showError(e.message));
            }
          }

          // ---------- Treat ----------
          function treatPage() {
            let chosenZone = null, lastPasses = -1, lastState = null, profilesShown = [];
            const zones = Array.from(document.querySelectorAll('svg.scalp .zone'));

            function shade(counts) {
              const most = Math.max(1, ...Object.values(counts || {}).filter(num));
              for (const g of zones) {
                const n = (counts && counts[g.dataset.zone]) || 0;
                const opacity = n === 0 ? 0 : 0.2 + 0.7 * n / most;
                g.dataset.passes = String(n);
                g.querySelector('.zone-shade').setAttribute('fill-opacity', opacity.toFixed(2));
                g.querySelector('.zone-count').textContent = n ? n + (n === 1 ? ' pass' : ' passes') : '';
                g.classList.toggle('dark', opacity > 0.55);
                g.setAttribute('aria-label', g.dataset.label + ': ' + (n ? n + (n === 1 ? ' pass' : ' passes') : 'no passes yet'));
              }
            }
            async function refreshZones() {
              try {
                const s = await api('GET', '/api/session');
                shade(s && s.zones);
                if (s && !s.open) $('zone-title').textContent = 'No session is open';
                if (s && !s.open && !chosenZone) {
                  $('profiles').replaceChildren(el('p', {}, 'Begin a session on the Start page first: the profiles shown depend on its cartridge.'),
                    el('a', { class: 'button primary', href: '/' }, 'Go to Start'));
                }
              } catch (e) { showError(e.message); }
            }
            function profileButton(p) {
              const range = num(p.depthMinMm) && num(p.depthMaxMm) ? ' (' + p.depthMinMm.toFixed(2) + '–' + p.depthMaxMm.toFixed(2) + ')' : '';
              const b = el('button', { type: 'button', class: 'profile', 'data-profile': p.name },
                el('span', { class: 'name' }, p.name),
                el('span', { class: 'figures' },
                  el('span', {}, 'Depth ', el('b', {}, fixed(p.depthMm, 2, 'mm')), range),
                  el('span', {}, 'Rate ', el('b', {}, fixed(p.rateHz, 0, 'Hz'))),
                  el('span', {}, 'Ramps ', el('b', {}, fixed(p.rampInMs, 0, 'ms')), ' in / ', el('b', {}, fixed(p.rampOutMs, 0, 'ms')), ' out')));
              b.addEventListener('click', () => act(b, async () => {
                const s = await api('POST', '/api/arm', { zone: chosenZone, profile: p.name });
                clearBanner();
                if (s && s.state) render(s);
              }));
              return b;
            }
            async function chooseZone(g) {
              chosenZone = g.dataset.zone;
              for (const z of zones) z.setAttribute('aria-pressed', String(z === g));
              $('zone-title').textContent = g.dataset.label;
              const list = $('profiles');
              list.replaceChildren(el('p', { class: 'muted' }, 'Loading the profiles for ' + g.dataset.label + '…'));
              try {
                const profiles = await api('GET', '/api/profiles?zone=' + encodeURIComponent(chosenZone)) || [];
                if (chosenZone !== g.dataset.zone) return;
                profilesShown = profiles;
                list.replaceChildren();
                if (!profiles.length) list.append(el('p', {}, 'No profile is valid for ' + g.dataset.label + ' with this machine and this session\'s cartridge. Check the cartridge chosen on Start, or the profile files (stipple profile list).'));
                for (const p of profiles) list.append(profileButton(p));
                markArmed(lastState);
              } catch (e) {
                list.replaceChildren(el('p', { class: 'muted' }, 'No profiles: ' + e.message));
                showError(e.message);
              }
            }
            for (const g of zones) {
              g.addEventListener('click', () => chooseZone(g));
              g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); chooseZone(g); } });
            }
            function markArmed(s) {
              for (const b of document.querySelectorAll('.profile')) {
                const on = !!s && (s.state === 'armed' || s.state === 'running' || s.state === 'paused') && s.zone === chosenZone && s.profile === b.dataset.profile;
                b.classList.toggle('armed-now', on);
              }
            }

            // STOP acts on the first touch (pointerdown), not on release: a stop should not wait.
            let stopAt = 0;
            async function stop() {
              if (Date.now() - stopAt < 400) return;
              stopAt = Date.now();
              try { const s = await api('POST', '/api/stop', {}); if (s && s.state) render(s); }
              catch (e) { showError('STOP was not confirmed by the console: ' + e.message + ' — use the machine\'s e-stop button.'); }
            }
            $('stop').addEventListener('pointerdown', stop);
            $('stop').addEventListener('click', stop);
            $('reset').addEventListener('click', () => { $('reset-confirm').hidden = false; $('reset').hidden = true; });
            $('reset-no').addEventListener('click', () => { $('reset-confirm').hidden = true; $('reset').hidden = false; });
            $('reset-yes').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              const s = await api('POST', '/api/reset', { confirm: true });
              $('reset-confirm').hidden = true; $('reset').hidden = false;
              clearBanner();
              if (s && s.state) render(s);
            }));
            $('disarm').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              const s = await api('POST', '/api/disarm', {});
              if (s && s.state) render(s);
            }));

            // The simulated pedal: a tap toggles it, a press held longer than 0.4 s lasts while held.
            const pedal = $('pedal');
            if (pedal) {
              let down = false, pressedAt = 0, sending = Promise.resolve();
              const setPedal = (d) => {
                down = d;
                pedal.setAttribute('aria-pressed', String(d));
                pedal.firstChild.textContent = d ? 'Pedal is DOWN' : 'Pedal is UP';
                pedal.lastChild.textContent = d ? 'tap to release' : 'tap to press down · hold to press while held';
                sending = sending.then(() => api('POST', '/api/sim/pedal', { down: d })).catch((e) => {
                  showError('Pedal: ' + e.message);
                  down = false; pedal.setAttribute('aria-pressed', 'false'); pedal.firstChild.textContent = 'Pedal is UP';
                  pedal.lastChild.textContent = 'tap to press down · hold to press while held';
                });
              };
              pedal.addEventListener('pointerdown', (ev) => {
                ev.preventDefault();
                if (down) { setPedal(false); pressedAt = 0; } else { setPedal(true); pressedAt = Date.now(); }
              });
              const release = () => { if (down && pressedAt && Date.now() - pressedAt > 400) setPedal(false); pressedAt = 0; };
              pedal.addEventListener('pointerup', release);
              pedal.addEventListener('pointercancel', release);
              pedal.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); setPedal(!down); } });
              pedal.addEventListener('contextmenu', (ev) => ev.preventDefault());
            }

            function render(s) {
              lastState = s;
              showPill(s);
              const st = $('state');
              st.dataset.state = s.state || '';
              st.textContent = s.state || '—';
              $('rate-set').textContent = fixed(s.rateSetHz, 0, 'Hz');
              $('rate').textContent = fixed(s.rateHz, 0, 'Hz');
              $('depth-set').textContent = fixed(s.depthSetMm, 2, 'mm');
              $('depth').textContent = fixed(s.depthMm, 2, 'mm');
              $('strokes').textContent = num(s.strokes) ? String(s.strokes) : '—';
              $('pass-time').textContent = clock(s.passSeconds);
              $('zone-profile').textContent = s.zone ? zoneLabel(s.zone) + ' · ' + (s.profile || '—') : '—';
              const passes = s.session && num(s.session.passes) ? s.session.passes : null;
              $('session-passes').textContent = s.session ? (s.session.open ? String(passes ?? 0) : 'no session open') : '—';
              const f = s.fault;
              $('fault').hidden = !f;
              if (f) {
                $('fault-name').textContent = 'Fault ' + text(f.code) + ': ' + text(f.name);
                $('fault-advice').textContent = f.advice || '';
              }
              const latched = s.state === 'e-stopped' || s.state === 'fault';
              $('latched').hidden = !latched;
              if (!latched) { $('reset-confirm').hidden = true; $('reset').hidden = false; }
              const armed = s.state === 'armed' || s.state === 'running' || s.state === 'paused';
              $('armed').hidden = !armed;
              if (armed) $('armed-text').textContent = (s.state === 'armed' ? 'Armed: ' : s.state === 'running' ? 'Needling: ' : 'Paused: ') +
                zoneLabel(s.zone) + ' with ' + (s.profile || '—') + (s.state === 'armed' ? '. Press the pedal to needle.' : '.');
              markArmed(s);
              if (passes !== null && passes !== lastPasses) { lastPasses = passes; refreshZones(); }
            }
            refreshZones();
            followLiveState(render);
          }

          // ---------- Session ----------
          function sessionPage() {
            const remembered = () => { try { return sessionStorage.getItem('stipple.lastSession'); } catch (e) { return null; } };
            function showExports(id) {
              if (!id) { $('exports').hidden = true; return; }
              try { sessionStorage.setItem('stipple.lastSession', id); } catch (e) { /* private mode: links still work now */ }
              const base = '/api/session/' + encodeURIComponent(id) + '/export?format=';
              for (const f of ['html', 'fhir', 'csv', 'json']) $('export-' + f).href = base + f;
              $('exports').hidden = false;
            }
            // The server's pass view (ConsoleController.PassView): pass, zone, profile, seconds,
            // strokes, rateMeanHz, depthMeanMm, stop, fault; a start time where it gives one.
            function row(p, i, withStart) {
              const ordinal = pick(p, 'pass', 'ordinal') ?? i + 1;
              const seconds = pick(p, 'seconds', 'durationSeconds');
              const stop = text(pick(p, 'stop', 'stopReason')) + (p.fault ? ': ' + p.fault : '');
              return el('tr', {},
                el('td', {}, String(ordinal)),
                el('td', {}, zoneLabel(p.zone)),
                el('td', {}, text(p.profile)),
                withStart ? el('td', {}, text(pick(p, 'start', 'startedAt'))) : null,
                el('td', {}, num(seconds) ? seconds.toFixed(1) + ' s' : text(seconds)),
                el('td', {}, text(p.strokes)),
                el('td', {}, fixed(p.rateMeanHz, 1, 'Hz')),
                el('td', {}, fixed(p.depthMeanMm, 2, 'mm')),
                el('td', { class: p.fault ? 'status-bad' : null }, stop));
            }
            function renderPasses(passes) {
              const withStart = passes.some((p) => pick(p, 'start', 'startedAt') !== undefined);
              const head = ['#', 'Zone', 'Profile', withStart ? 'Start' : null, 'Duration', 'Strokes', 'Rate mean', 'Depth mean', 'Stopped by'].filter(Boolean);
              $('passes').tHead.replaceChildren(el('tr', {}, ...head.map((h) => el('th', {}, h))));
              $('passes').tBodies[0].replaceChildren(...(passes.length ? passes.map((p, i) => row(p, i, withStart))
                : [el('tr', {}, el('td', { colspan: String(head.length), class: 'muted' }, 'No passes yet.'))]));
            }
            function renderSeal(r) {
              const seal = $('seal');
              const ok = r.verified === true;
              const s = r.seal || {};
              seal.replaceChildren(
                el('p', { class: ok ? 'verified' : 'unverified', id: 'seal-status' },
                  ok ? 'Sealed and verified: the record is signed and its chain checks out.' : 'Sealed, but verification FAILED: keep this record and run stipple journal verify on the controller.'),
                el('dl', { class: 'summary-grid' },
                  el('div', {}, el('dt', {}, 'Session'), el('dd', {}, text(r.sessionId))),
                  el('div', {}, el('dt', {}, 'Status'), el('dd', {}, text(r.status))),
                  el('div', {}, el('dt', {}, 'Passes'), el('dd', {}, text(r.passes))),
                  el('div', {}, el('dt', {}, 'Chain head'), el('dd', {}, 'record ' + text(s.headSeq) + ' · ' + short(s.headHash))),
                  el('div', {}, el('dt', {}, 'Signature'), el('dd', {}, short(s.signature))),
                  el('div', {}, el('dt', {}, 'Machine key'), el('dd', {}, short(s.publicKey)))),
                el('p', { class: 'detail' }, 'Hashes shortened here; the exports and stipple session show carry them in full.'));
              seal.hidden = false;
            }
            // The server keeps the open session's passes and notes; once it is sealed they live in
            // the journal and its exports, so a page opened later shows the exports, not the table.
            async function load() {
              const s = await api('GET', '/api/session') || {};
              const summary = $('summary');
              const id = s.sessionId;
              if (s.open) {
                summary.replaceChildren(
                  el('h2', {}, 'Open session'),
                  el('dl', { class: 'summary-grid' },
                    el('div', {}, el('dt', {}, 'Client'), el('dd', {}, text(s.client))),
                    el('div', {}, el('dt', {}, 'Operator'), el('dd', {}, text(s.operator))),
                    el('div', {}, el('dt', {}, 'Cartridge'), el('dd', {}, text(s.cartridge))),
                    el('div', {}, el('dt', {}, 'Session'), el('dd', {}, text(id)))));
                renderPasses(Array.isArray(s.passes) ? s.passes : []);
                const notes = Array.isArray(s.notes) ? s.notes : [];
                $('notes').replaceChildren(...notes.map((n) => el('li', {}, typeof n === 'string' ? n : (n.at ? text(n.at) + ': ' : '') + text(n.text))));
              } else {
                const last = remembered();
                summary.replaceChildren(el('h2', {}, 'No session is open'),
                  el('p', {}, last ? 'Session ' + last + ' was ended and sealed from this tablet: its record is in the exports below. ' : ''),
                  el('a', { class: 'button primary', href: '/' }, 'Start a session'));
              }
              $('passes-card').hidden = !s.open;
              $('notes-card').hidden = !s.open;
              $('end-card').hidden = !s.open;
              $('end').hidden = !s.open;
              $('end-confirm').hidden = true;
              showExports(s.open ? null : remembered());
              return s;
            }
            $('note-form').addEventListener('submit', (ev) => {
              ev.preventDefault();
              act($('note-add'), async () => {
                const t = $('note-text').value.trim();
                if (!t) throw new ApiError('The note is empty: write it first.', 400);
                await api('POST', '/api/session/notes', { text: t });
                $('note-text').value = '';
                await load();
              });
            });
            $('end').addEventListener('click', () => { $('end-confirm').hidden = false; $('end').hidden = true; });
            $('end-no').addEventListener('click', () => { $('end-confirm').hidden = true; $('end').hidden = false; });
            $('end-yes').addEventListener('click', (ev) => act(ev.currentTarget, async () => {
              const r = await api('POST', '/api/session/end', {}) || {};
              // The passes and notes stay on screen as they were sealed; only the verbs go.
              $('end-confirm').hidden = true;
              $('end').hidden = true;
              $('note-form').hidden = true;
              $('end-title').textContent = 'Sealed record';
              $('summary').querySelector('h2').textContent = 'Session ' + text(r.sessionId) + ' (ended)';
              renderSeal(r);
              showExports(r.sessionId);
              if (r.verified !== true) showError('The session was sealed but did not verify' + (r.problem ? ': ' + r.problem : '') + '. Keep the record and run stipple journal verify on the controller.');
            }));
            load().catch((e) => showError(e.message));
            followLiveState(showPill);
          }

          // ---------- Machine ----------
          async function machinePage() {
            const box = $('machine');
            function list(entries) {
              return el('dl', {}, ...entries.map(([k, v, cls]) => el('div', {}, el('dt', {}, k), el('dd', cls ? { class: cls } : {}, text(v)))));
            }
            const statusClass = (v) => /^(valid|ok|pass|passed|current|fresh)/i.test(String(v || '')) ? 'status-ok' : (v ? 'status-bad' : null);
            try {
              const m = await api('GET', '/api/machine') || {};
              const cards = [el('section', { class: 'card' }, el('h2', {}, 'Machine'),
                list([['Name', m.name], ['Model', m.model], ['Drive', m.drive], ['Serial', m.serial], ['Firmware', m.firmware]]))];
              for (const [kind, c] of Object.entries(m.calibration || {})) {
                // Status first: it is what the practitioner looks for; the server sorts keys by name.
                const order = ['status', 'expires', 'ref'];
                const rank = (k) => order.indexOf(k) < 0 ? order.length : order.indexOf(k);
                const rows = c && typeof c === 'object'
                  ? Object.entries(c).sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => [k === 'ref' ? 'Reference' : k.charAt(0).toUpperCase() + k.slice(1), v, k === 'status' ? statusClass(v) : null])
                  : [['Status', c, statusClass(c)]];
                cards.push(el('section', { class: 'card' }, el('h2', {}, 'Calibration: ' + kind), list(rows)));
              }
              const t = m.selftest;
              cards.push(el('section', { class: 'card' }, el('h2', {}, 'Last self-test'),
                t && typeof t === 'object'
                  ? list(Object.entries(t).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v, k === 'status' || k === 'result' ? statusClass(v) : null]))
                  : el('p', {}, 'No self-test recorded for this machine.')));
              box.replaceChildren(...cards);
            } catch (e) {
              box.replaceChildren(el('p', { class: 'muted' }, 'Machine details unavailable.'));
              showError(e.message);
            }
            followLiveState(showPill);
          }

          // ---------- Login ----------
          function loginPage() {
            $('login-form').addEventListener('submit', (ev) => {
              ev.preventDefault();
              act($('login'), async () => {
                await api('POST', '/api/login', { passcode: $('passcode').value });
                const next = new URLSearchParams(location.search).get('next');
                location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
              });
            });
          }

          const pages = { start: startPage, treat: treatPage, session: sessionPage, machine: machinePage, login: loginPage };
          if (pages[page]) {
            try { const r = pages[page](); if (r && r.catch) r.catch((e) => showError(e.message)); }
            catch (e) { showError('The page failed to start: ' + e.message); }
          }
          body.dataset.ready = 'true';
        })();
        """#
}
