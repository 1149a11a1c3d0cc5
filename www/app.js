// The integrator's own page code: the global callbacks the tags name, and calls to its back end.
(function () {
  'use strict';
  var status = document.getElementById('status');
  var accountBox = document.getElementById('account');
  window.kommoEvents = [];

  function loadAccount() {
    return fetch('/api/account').then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (r) {
        accountBox.textContent = r.ok ? 'Account: ' + r.body.name + ' (' + r.body.subdomain + '.kommo.com)' : 'API: ' + (r.body.hint || r.body.error);
        return r;
      });
  }

  // Named by data-error-callback: called with {client_id, error} when the user declines.
  window.onKommoError = function (e) {
    window.kommoEvents.push({ type: 'error', detail: e });
    status.textContent = 'Not connected: ' + e.error + (e.client_id ? ' (client ' + e.client_id + ')' : '');
  };
  // Named by data-success-callback (post_message mode): the code was already exchanged by /callback.
  window.onKommoSuccess = function (result) {
    window.kommoEvents.push({ type: 'success', detail: result });
    status.textContent = 'Connected to ' + (result.referer || 'your account') + '.';
    loadAccount();
  };
  document.getElementById('refresh').addEventListener('click', function () {
    fetch('/api/refresh', { method: 'POST' }).then(function (r) { return r.json(); }).then(function (b) {
      status.textContent = b.refreshed ? 'Tokens refreshed (valid ' + b.expires_in + ' s).' : 'Refresh failed: ' + (b.hint || b.error);
    });
  });
  document.getElementById('load-account').addEventListener('click', loadAccount);

  // LeadExec: the documented global callback. A valid result's refresh token goes to the
  // back end, which keeps it in the session and refreshes or disconnects from the server.
  var leStatus = document.getElementById('le-status');
  window.leadexecResults = [];
  var post = function (path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json(); });
  };
  var signedIn = function (b) {
    leStatus.textContent = b.valid ? 'Signed in with LeadExec (access token until ' + b.expireDate + ').' : 'LeadExec: ' + (b.errorMessage || b.error);
  };
  window.AuthorizeResult = function (result) {
    window.leadexecResults.push(result);
    if (!result.valid) {
      leStatus.textContent = 'Not signed in with LeadExec: ' + result.error + '.';
      return;
    }
    document.getElementById('leAppButton').setAttribute('style', 'display: none');
    post('/api/leadexec/session', { refreshToken: result.refreshToken, appId: result.appId }).then(signedIn);
  };
  document.getElementById('le-refresh').addEventListener('click', function () { post('/api/leadexec/refresh').then(signedIn); });
  document.getElementById('le-disconnect').addEventListener('click', function () {
    post('/api/leadexec/disconnect').then(function (b) {
      leStatus.textContent = b.valid ? 'Disconnected from LeadExec.' : 'LeadExec: ' + (b.errorMessage || b.error);
      document.getElementById('leAppButton').removeAttribute('style');
    });
  });
  // Already connected in this session (e.g. after the popup-mode COOP fallback reloaded
  // this page): show the account.
  // Asked of /api/status, which answers 200 either way: a first visit logs no error.
  fetch('/api/status').then(function (r) { return r.json(); }).then(function (s) {
    if (s.connected) { status.textContent = 'Connected.'; loadAccount(); }
  });
})();
