// The Redirect URI page, when it is the main window (popup mode): show the account.
(function () {
  'use strict';
  window.addEventListener('kommo-oauth:callback', function (event) {
    window.kommoCallback = event.detail;
    if (!event.detail.code) return;
    fetch('/api/account').then(function (r) { return r.json(); }).then(function (a) {
      document.getElementById('account').textContent = a.name ? 'Account: ' + a.name + ' (' + a.subdomain + '.kommo.com)' : '';
    });
  });
})();
