/*
 * Basirah web chat client: plain browser JavaScript, no build step.
 * Safety rule: text from visitors and from the bot is only ever set with textContent /
 * createTextNode, never parsed as HTML.
 */
(() => {
  'use strict';

  const MAX_ATTEMPTS = 8; // about 40 s of retries before "connection lost — retry"
  const TYPING_TIMEOUT_MS = 15000;
  const MAX_LENGTH = 2000;
  // Not stored by the server; the page keeps the message, offers "send again", and resends it by
  // itself after the wait the server gave (a few times at most, so a refusal cannot loop forever).
  const RESENDABLE = ['unavailable', 'rate_limited', 'too_fast', 'backlog', 'overloaded'];
  const AUTO_RESEND = ['rate_limited', 'too_fast', 'backlog', 'overloaded'];
  const MAX_AUTO_RESENDS = 3;
  const MAX_RESEND_WAIT_MS = 60000;
  const CLOSE_TOO_MANY_SOCKETS = 4008; // the server's cap on open chats per visitor or address

  const $ = (id) => document.getElementById(id);
  const els = {
    log: $('log'), form: $('composer'), text: $('text'), language: $('language'),
    banner: $('banner'), bannerText: $('banner-text'), retry: $('retry'), notice: $('notice'),
  };
  const state = {
    lng: document.documentElement.lang,
    strings: {},
    socket: null,
    ready: false, // subscribed on the server and history synced: frames may be sent
    syncing: false,
    buffered: [], // live events that arrived while the history was loading
    attempts: 0,
    everConnected: false,
    reconnectTimer: 0,
    typing: null,
    typingTimer: 0,
    pending: new Map(), // clientId → { frame, bubble, resynced, autoResends }
  };

  const t = (key, params) => {
    const text = state.strings[key] || '';
    return text.replace(/\{\{(\w+)\}\}/g, (_, name) => (params && name in params ? String(params[name]) : ''));
  };

  /* ---------- language ---------- */

  async function loadLanguage(lng) {
    state.lng = lng;
    const response = await fetch('/api/web/i18n?lng=' + encodeURIComponent(lng), { credentials: 'same-origin' });
    if (!response.ok || state.lng !== lng) return;
    const data = await response.json();
    state.strings = data.strings;
    const root = document.documentElement;
    root.lang = data.lng;
    root.dir = data.dir;
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll('[data-i18n-aria]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nAria)); });
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = 'basirah_lng=' + data.lng + '; Path=/; Max-Age=31536000; SameSite=Lax' + secure;
  }

  /* ---------- rendering ---------- */

  function translated(tag, key, className) {
    const el = document.createElement(tag);
    el.dataset.i18n = key;
    el.textContent = t(key);
    if (className) el.className = className;
    return el;
  }

  function append(el) {
    els.log.append(el);
    els.log.scrollTop = els.log.scrollHeight;
    return el;
  }

  /** A bubble; the speaker's name is read by screen readers only. */
  function bubble(who, text) {
    const el = document.createElement('div');
    el.className = 'msg ' + who;
    el.dir = 'auto'; // each bubble follows its own script, whatever the page language
    const speaker = translated('span', who === 'user' ? 'you' : 'bot_name', 'sr-only');
    speaker.dir = document.documentElement.dir; // excluded from the bubble's direction detection
    const pause = Object.assign(document.createElement('span'), { className: 'sr-only', textContent: ': ' });
    el.append(speaker, pause, document.createTextNode(text));
    return append(el);
  }

  function optionButtons(options) {
    const group = document.createElement('div');
    group.className = 'options';
    group.setAttribute('role', 'group');
    group.dataset.i18nAria = 'options_label';
    group.setAttribute('aria-label', t('options_label'));
    for (const option of options) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dir = 'auto';
      button.textContent = option.label;
      button.addEventListener('click', () => sendText(option.value, option.label));
      group.append(button);
    }
    return append(group);
  }

  /** Choices offered earlier must not be clicked later: the engine reads them against its last question. */
  function clearOptions() {
    els.log.querySelectorAll('.options').forEach((el) => el.remove());
  }

  function showReply(event) {
    hideTyping();
    bubble('bot', event.text);
    if (event.options.length > 0) optionButtons(event.options);
    if (event.lang !== state.lng) loadLanguage(event.lang).catch(() => undefined);
  }

  function showTyping() {
    if (!state.typing) {
      state.typing = document.createElement('div');
      state.typing.className = 'typing';
      for (let i = 0; i < 3; i += 1) {
        const dot = document.createElement('span');
        dot.setAttribute('aria-hidden', 'true');
        state.typing.append(dot);
      }
      state.typing.append(translated('span', 'typing', 'sr-only'));
    }
    append(state.typing);
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    if (state.typing) state.typing.remove();
  }

  function showBanner(key) {
    els.bannerText.dataset.i18n = key;
    els.bannerText.textContent = t(key);
    els.banner.dataset.state = key.replace('status.', '');
    els.retry.hidden = key !== 'status.lost' && key !== 'status.too_many';
    els.banner.hidden = false;
  }

  function showNotice(text) {
    els.notice.textContent = text;
    els.notice.hidden = text === '';
  }

  /* ---------- sending ---------- */

  function uuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }

  /** Sends `value` (what the engine reads) and shows `shown` (what the visitor chose or typed). */
  function sendText(value, shown) {
    clearOptions();
    showNotice('');
    const el = bubble('user', shown);
    el.classList.add('pending');
    queue({ type: 'message', clientId: uuid(), text: value, lng: state.lng }, el);
  }

  /** Keeps a frame until the server acknowledges it; frames are (re)sent whenever the socket is ready. */
  function queue(frame, el, autoResends) {
    state.pending.set(frame.clientId, { frame, bubble: el, resynced: false, autoResends: autoResends || 0 });
    if (state.ready) state.socket.send(JSON.stringify(frame));
  }

  function onAck(ack) {
    const entry = state.pending.get(ack.clientId);
    if (!entry) return;
    state.pending.delete(ack.clientId);
    if (!entry.bubble) return;
    entry.bubble.classList.remove('pending');
    // Resent after a reconnect and already stored: the reloaded history shows it once already.
    if (ack.duplicate && entry.resynced) entry.bubble.remove();
  }

  function onError(error) {
    const entry = error.clientId ? state.pending.get(error.clientId) : undefined;
    const message = t('errors.' + error.code, { max: MAX_LENGTH });
    if (!entry || !entry.bubble) return showNotice(message);
    state.pending.delete(error.clientId);
    entry.bubble.classList.remove('pending');
    entry.bubble.classList.add('failed');
    const row = document.createElement('div');
    row.className = 'failure';
    row.setAttribute('role', 'status');
    row.append(Object.assign(document.createElement('span'), { textContent: message }));
    entry.bubble.after(row);
    if (!RESENDABLE.includes(error.code)) return;
    let timer = 0;
    const resend = (automatic) => {
      clearTimeout(timer);
      row.remove();
      entry.bubble.classList.remove('failed');
      entry.bubble.classList.add('pending');
      queue(entry.frame, entry.bubble, entry.autoResends + (automatic ? 1 : 0));
    };
    const retry = translated('button', 'message.retry');
    retry.type = 'button';
    retry.addEventListener('click', () => resend(false));
    row.append(retry);
    if (AUTO_RESEND.includes(error.code) && entry.autoResends < MAX_AUTO_RESENDS) {
      const wait = Math.min(MAX_RESEND_WAIT_MS, Math.max(500, Number(error.retryAfterMs) || 5000));
      timer = setTimeout(() => { if (row.isConnected) resend(true); }, wait);
    }
  }

  /* ---------- connection ---------- */

  function connect() {
    clearTimeout(state.reconnectTimer);
    const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    state.socket = socket;
    state.ready = false;
    socket.addEventListener('message', (event) => {
      if (state.socket === socket) onFrame(JSON.parse(event.data));
    });
    socket.addEventListener('close', (event) => {
      if (state.socket !== socket) return;
      state.ready = false;
      // Reconnecting would only be refused again: say why and let the visitor retry.
      if (event.code === CLOSE_TOO_MANY_SOCKETS) return showBanner('status.too_many');
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    state.attempts += 1;
    if (state.attempts > MAX_ATTEMPTS) return showBanner('status.lost');
    showBanner(state.everConnected ? 'status.reconnecting' : 'status.connecting');
    const delay = Math.min(10000, 500 * 2 ** (state.attempts - 1)) * (0.8 + Math.random() * 0.4);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function retryNow() {
    state.attempts = 0;
    if (state.socket && state.socket.readyState <= WebSocket.OPEN) return;
    showBanner('status.reconnecting');
    connect();
  }

  function onFrame(frame) {
    if (frame.type === 'ready') return syncHistory(state.socket);
    if (frame.type === 'ack') return onAck(frame);
    if (frame.type === 'error') return onError(frame);
    if (state.syncing) return void state.buffered.push(frame);
    if (frame.type === 'reply') return showReply(frame);
    if (frame.type === 'typing') return showTyping();
  }

  /**
   * On every (re)connection the transcript is reloaded from the server, so replies sent while the
   * socket was down appear; then unacknowledged frames are resent (same clientId: the pipeline
   * drops what it already has).
   */
  async function syncHistory(socket) {
    state.syncing = true;
    state.buffered = [];
    let messages = null;
    try {
      const response = await fetch('/api/web/history', { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) throw new Error('history ' + response.status);
      ({ messages } = await response.json());
    } catch {
      messages = null;
    }
    // Dropped meanwhile: the next connection reads the history itself, and this answer may be older
    // than what it has shown since (rendering it would wipe a newer reply).
    if (state.socket !== socket || socket.readyState !== WebSocket.OPEN) return;
    let trailing = [];
    if (messages) {
      renderTranscript(messages);
      trailing = trailingBotTexts(messages);
    } else {
      showNotice(t('errors.history'));
    }
    state.syncing = false;
    for (const frame of state.buffered.splice(0)) {
      // A reply stored before the history was read may also arrive live: show it once.
      const seen = frame.type === 'reply' ? trailing.indexOf(frame.text) : -1;
      if (seen >= 0) trailing.splice(seen, 1);
      else onFrame(frame);
    }
    state.attempts = 0;
    state.everConnected = true;
    els.banner.hidden = true;
    state.ready = true;
    for (const entry of state.pending.values()) {
      if (entry.bubble) {
        entry.resynced = true;
        append(entry.bubble);
      }
      socket.send(JSON.stringify(entry.frame));
    }
  }

  function renderTranscript(messages) {
    const failed = [...els.log.querySelectorAll('.failed, .failure')]; // never stored, so not in history
    els.log.replaceChildren();
    const lastIn = messages.map((m) => m.direction).lastIndexOf('in');
    messages.forEach((m, i) => {
      bubble(m.direction === 'in' ? 'user' : 'bot', m.text);
      // Only the choices of the latest question, after the visitor's last message, can still be used.
      if (m.direction === 'out' && i > lastIn && m.options.length > 0) optionButtons(m.options);
    });
    failed.forEach(append);
  }

  function trailingBotTexts(messages) {
    const lastIn = messages.map((m) => m.direction).lastIndexOf('in');
    return messages.slice(lastIn + 1).map((m) => m.text);
  }

  /* ---------- composer ---------- */

  function autosize() {
    // Typed text follows its own script; the empty field (and its placeholder) follows the page.
    els.text.dir = els.text.value.trim() === '' ? '' : 'auto';
    els.text.style.height = 'auto';
    els.text.style.height = els.text.scrollHeight + 'px';
  }

  els.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = els.text.value.trim();
    if (text === '') return showNotice(t('errors.empty'));
    if (text.length > MAX_LENGTH) return showNotice(t('errors.too_long', { max: MAX_LENGTH }));
    sendText(text, text);
    els.text.value = '';
    autosize();
    els.text.focus();
  });
  els.text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      els.form.requestSubmit();
    }
  });
  els.text.addEventListener('input', autosize);
  els.language.addEventListener('click', () => {
    clearOptions();
    queue({ type: 'language', clientId: uuid(), lng: state.lng }, null);
  });
  els.retry.addEventListener('click', retryNow);
  window.addEventListener('online', retryNow);

  loadLanguage(state.lng).catch(() => undefined);
  connect();
})();
