// scimconf console: copy buttons, confirmations and the journal's live tail
// (server-sent events). Every page works without it but the live tail.
(function () {
  'use strict';

  function copied(b) {
    var old = b.textContent;
    b.textContent = 'Copied';
    setTimeout(function () { b.textContent = old; }, 1500);
  }
  function fallbackCopy(text, b) {
    var t = document.createElement('textarea');
    t.value = text;
    t.setAttribute('readonly', '');
    t.className = 'vh';
    document.body.appendChild(t);
    t.select();
    try { document.execCommand('copy'); copied(b); } catch (e) { /* the value stays visible to copy by hand */ }
    document.body.removeChild(t);
  }
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () {
      var text = b.getAttribute('data-copy');
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(b); }, function () { fallbackCopy(text, b); });
      } else {
        fallbackCopy(text, b);
      }
    });
  });

  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); }
    });
  });

  var rows = document.getElementById('journal-rows');
  if (!rows || !rows.dataset.stream || !window.EventSource) { return; }
  var status = document.getElementById('live-status');
  var es = new EventSource(rows.dataset.stream);
  var added = 0;
  es.addEventListener('open', function () { if (status) { status.textContent = 'Live: new exchanges appear at the top.'; } });
  es.addEventListener('exchange', function (ev) {
    var t = document.createElement('tbody');
    t.innerHTML = ev.data;
    var row = t.firstElementChild;
    if (!row || rows.querySelector('tr[data-seq="' + row.dataset.seq + '"]')) { return; }
    rows.insertBefore(row, rows.firstElementChild);
    added++;
    while (rows.children.length > 500) { rows.removeChild(rows.lastElementChild); }
    if (status) { status.textContent = 'Live: ' + added + ' new exchange(s) since the page loaded.'; }
  });
  es.addEventListener('missed', function (ev) {
    if (status) { status.textContent = 'Live, but ' + ev.data + ' exchange(s) were dropped (the tail fell behind): reload to see the journal as kept.'; }
  });
  es.addEventListener('error', function () { if (status) { status.textContent = 'Live tail interrupted; reconnecting...'; } });
})();
