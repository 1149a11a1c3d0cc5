/*
 * The benchmark's plain-JavaScript reference: the drop-in's common case written by hand, as
 * a careful integrator would write it, and no more. It reads every .kommo_oauth /
 * .amocrm_oauth element's data-* attributes, installs one stylesheet, renders the same
 * <button> as the drop-in (logo block + title, or the compact square), and on click opens a
 * centred popup on the consent page with an encoded state, then reports a decline to the
 * global error callback, accepting messages only from that popup and the provider origin.
 *
 * It is what `npm run bench` compares the Rust/wasm drop-in against (bench/run.mjs). It lives
 * in the repository so that the benchmark, and `npm test`'s smoke run of it, need nothing
 * outside a clone. It is not part of the product: no validation messages, no metadata
 * button, no Redirect URI helper, no COOP fallback, no late-added tags.
 */
(function () {
  'use strict';
  var MOUNTED = 'data-baseline-mounted';
  var TITLES = { en: 'Continue with Kommo', es: 'Continuar con Kommo', pt: 'Continuar com Kommo', id: 'Lanjutkan dengan Kommo' };
  var AMO_TITLE = 'Авторизоваться через amoCRM';
  var PATHS = { en: '', es: '/es', pt: '/br', id: '/id' };
  var COLORS = ['default', 'blue', 'violet', 'green', 'orange', 'red'];
  var SCHEMES = {
    light: '--kb-bg:#0e0142;--kb-edge:#3a2d6e;--kb-ink:#fff;--kb-logo:#0e0142;--kb-logo-ink:#fff',
    dark: '--kb-bg:#fff;--kb-edge:#0e0142;--kb-ink:#0e0142;--kb-logo:#fff;--kb-logo-ink:#0e0142',
    'default': '--kb-bg:#339DC7;--kb-edge:#006F9F;--kb-ink:#04202e;--kb-logo:#006F9F;--kb-logo-ink:#fff',
    blue: '--kb-bg:#1976D2;--kb-edge:#004BA0;--kb-ink:#fff;--kb-logo:#004BA0;--kb-logo-ink:#fff',
    violet: '--kb-bg:#6A1B9A;--kb-edge:#38006B;--kb-ink:#fff;--kb-logo:#38006B;--kb-logo-ink:#fff',
    green: '--kb-bg:#34833A;--kb-edge:#00600F;--kb-ink:#fff;--kb-logo:#00600F;--kb-logo-ink:#fff',
    orange: '--kb-bg:#F57F17;--kb-edge:#BC5100;--kb-ink:#2b1300;--kb-logo:#BC5100;--kb-logo-ink:#fff',
    red: '--kb-bg:#CC4115;--kb-edge:#9F0000;--kb-ink:#fff;--kb-logo:#9F0000;--kb-logo-ink:#fff',
  };
  var CSS = 'button.bl-btn{box-sizing:border-box;display:inline-flex;align-items:stretch;height:45px;min-width:45px;' +
    'padding:0;margin:0;border:1px solid var(--kb-edge);border-radius:4px;background:var(--kb-bg);color:var(--kb-ink);' +
    "font:700 13px/1 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;letter-spacing:.08em;" +
    'text-transform:uppercase;cursor:pointer;overflow:hidden;vertical-align:middle}' +
    'button.bl-btn:focus-visible{outline:3px solid #4a90e2;outline-offset:2px}' +
    'button.bl-btn .bl-logo{display:flex;align-items:center;justify-content:center;width:43px;flex:none;' +
    'background:var(--kb-logo);color:var(--kb-logo-ink)}button.bl-btn svg{width:24px;height:24px}' +
    'button.bl-btn .bl-text{display:flex;align-items:center;padding:0 18px 0 14px;white-space:nowrap;' +
    'border-left:1px solid var(--kb-edge)}button.bl-compact{width:45px}' +
    Object.keys(SCHEMES).map(function (k) { return 'button.bl-' + k + '{' + SCHEMES[k] + '}'; }).join('');
  var SVG = 'http://www.w3.org/2000/svg';
  var LOGO_PATHS = ['M5 3h14a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-7l-5 4v-4H5a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3z',
    'M8 6.5h2.2v3.6l3.3-3.6h2.8l-3.8 4 4 4.5h-2.9l-3.4-3.9v3.9H8z'];
  var logoTemplate;

  function injectStyle() {
    if (document.getElementById('bl-style')) return;
    var s = document.createElement('style');
    s.id = 'bl-style';
    s.textContent = CSS;
    document.head.appendChild(s);
  }

  function logo() {
    if (!logoTemplate) {
      logoTemplate = document.createElement('span');
      logoTemplate.className = 'bl-logo';
      var svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('viewBox', '0 0 24 24');
      svg.setAttribute('aria-hidden', 'true');
      LOGO_PATHS.forEach(function (d, i) {
        var path = document.createElementNS(SVG, 'path');
        path.setAttribute('d', d);
        path.setAttribute('fill', i ? 'var(--kb-logo)' : 'currentColor');
        svg.appendChild(path);
      });
      logoTemplate.appendChild(svg);
    }
    return logoTemplate.cloneNode(true);
  }

  function randomState() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function openPopup(url) {
    var w = 750, h = 580;
    var left = Math.round(window.screenX + (window.outerWidth - w) / 2);
    var top = Math.round(window.screenY + (window.outerHeight - h) / 2);
    var popup = window.open(url, 'Grant access for integration',
      'popup=yes,scrollbars=yes,status=yes,resizable=yes,width=' + w + ',height=' + h + ',left=' + left + ',top=' + top);
    if (popup) popup.focus();
    return popup;
  }

  function mount(tag) {
    if (tag.hasAttribute(MOUNTED)) return;
    var d = tag.dataset;
    if (!d.clientId) return;
    tag.setAttribute(MOUNTED, '');
    var amo = tag.classList.contains('amocrm_oauth');
    var locale = (d.locale || 'en').toLowerCase().split('-')[0];
    if (!TITLES[locale]) locale = 'en';
    var title = d.title || (amo ? AMO_TITLE : TITLES[locale]);
    var compact = d.compact === 'true';
    var color = COLORS.indexOf(d.color) >= 0 ? d.color : amo ? 'default' : '';
    var scheme = color || (d.theme === 'dark' ? 'dark' : 'light');
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'bl-btn bl-' + scheme + (compact ? ' bl-compact' : '') + ' ' + (d.className || (amo ? 'amocrm-oauth' : 'kommo-oauth'));
    btn.setAttribute('data-client_id', d.clientId);
    btn.appendChild(logo());
    if (compact) btn.setAttribute('aria-label', title);
    else {
      var span = document.createElement('span');
      span.className = 'bl-text';
      span.textContent = title;
      btn.appendChild(span);
    }
    var origin = amo ? 'https://www.amocrm.ru' : 'https://www.kommo.com';
    btn.addEventListener('click', function () {
      var q = 'state=' + encodeURIComponent(d.state || randomState()) + '&mode=' + encodeURIComponent(d.mode || 'popup') +
        '&origin=' + encodeURIComponent(location.href) + '&client_id=' + encodeURIComponent(d.clientId);
      var popup = openPopup(origin + (amo ? '' : PATHS[locale]) + '/oauth/?' + q);
      if (!popup) return;
      window.addEventListener('message', function onMessage(e) {
        if (e.source !== popup || e.origin !== origin || !e.data || typeof e.data.error !== 'string') return;
        window.removeEventListener('message', onMessage);
        popup.close();
        var cb = d.errorCallback && window[d.errorCallback];
        if (typeof cb === 'function') cb({ client_id: d.clientId, error: e.data.error });
      });
    });
    tag.parentNode.insertBefore(btn, tag);
  }

  function mountAll() {
    injectStyle();
    var tags = document.querySelectorAll('.kommo_oauth,.amocrm_oauth');
    for (var i = 0; i < tags.length; i++) mount(tags[i]);
  }

  mountAll();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
})();
