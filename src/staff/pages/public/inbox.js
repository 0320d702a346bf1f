/* Basirah staff console: the inbox's live updates and canned replies. Loaded as a static file
   (the CSP allows no inline script). One EventSource per page on the inbox's event stream; each
   element marked data-live gets htmx's "refresh" event and re-fetches its own fragment. An element
   with data-handoff only listens to that handoff's events. The server ends the stream every few
   minutes by design: EventSource reconnects by itself (retry: 3000); if the browser gives up
   (closed state), a new one is opened. Events missed before a stream was listening are covered
   by refreshing every live element each time a stream opens (the first time too: the page may
   have been rendered just before a change). */
(function () {
  'use strict';
  var TYPES = ['handoff.opened', 'handoff.message', 'handoff.claimed', 'handoff.released', 'handoff.transferred', 'handoff.reply', 'handoff.note', 'handoff.closed'];

  function refresh(handoffId) {
    var live = document.querySelectorAll('[data-live]');
    for (var i = 0; i < live.length; i++) {
      var only = live[i].getAttribute('data-handoff');
      if (!handoffId || !only || only === handoffId) window.htmx.trigger(live[i], 'refresh');
    }
  }

  function connect(root, url) {
    var source = new EventSource(url);
    source.addEventListener('open', function () {
      root.setAttribute('data-stream', 'open');
      root.setAttribute('data-stream-opens', String(Number(root.getAttribute('data-stream-opens') || '0') + 1));
      refresh(null);
    });
    TYPES.forEach(function (type) {
      source.addEventListener(type, function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        refresh(event && typeof event.handoffId === 'string' ? event.handoffId : null);
      });
    });
    source.addEventListener('error', function () {
      root.setAttribute('data-stream', 'reconnecting');
      if (source.readyState !== EventSource.CLOSED) return;
      // Refused (the session ended?): the live parts' next fetch finds out and goes to log-in.
      refresh(null);
      setTimeout(function () { connect(root, url); }, 5000);
    });
  }

  function insertCanned(button) {
    var target = document.getElementById(button.getAttribute('data-target') || '');
    if (!target) return;
    var text = button.getAttribute('data-text') || '';
    var start = target.selectionStart || 0;
    var end = target.selectionEnd || 0;
    // A second canned reply after the first one starts on its own line, not glued to it.
    var before = target.value.slice(0, start);
    if (before !== '' && !/\s$/.test(before)) text = '\n' + text;
    target.value = before + text + target.value.slice(end);
    target.focus();
    target.selectionStart = target.selectionEnd = start + text.length;
  }

  document.addEventListener('click', function (e) {
    var button = e.target instanceof Element ? e.target.closest('button[data-canned]') : null;
    if (button) {
      e.preventDefault();
      insertCanned(button);
    }
  });

  // What someone has chosen or typed inside a live part (the colleague picked for a transfer)
  // survives its refresh: a live event must not undo a choice half-made (outside review: the
  // transfer picker was emptied each time the stream opened or the person wrote).
  var kept = null;

  // A fragment asked for after the session ended is answered by the log-in page: go there
  // instead of showing it inside the list.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === '/staff/login') {
      e.detail.shouldSwap = false;
      window.location.assign('/staff/login');
      return;
    }
    var target = e.detail && e.detail.target;
    if (!target || !target.hasAttribute('data-live')) return;
    kept = [];
    var fields = target.querySelectorAll('select[id], input[id]:not([type=hidden]), textarea[id]');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue || fields[i].tagName === 'SELECT') {
        kept.push({ id: fields[i].id, value: fields[i].value, focused: document.activeElement === fields[i] });
      }
    }
  });

  document.addEventListener('htmx:afterSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (!kept || !target || !target.hasAttribute('data-live')) return;
    kept.forEach(function (field) {
      var el = document.getElementById(field.id);
      if (!el || !target.contains(el)) return;
      // A colleague no longer offered (disabled, or now holding the chat) is not brought back.
      if (el.tagName === 'SELECT' && !Array.prototype.some.call(el.options, function (o) { return o.value === field.value; })) return;
      el.value = field.value;
      if (field.focused) el.focus();
    });
    kept = null;
  });

  var root = document.querySelector('[data-events]');
  if (root && window.EventSource) connect(root, root.getAttribute('data-events'));
})();
