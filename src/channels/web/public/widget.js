/*
 * Basirah chat widget for other sites:
 *   <script src="https://bot.example/widget.js" defer></script>
 * adds a floating button that opens the chat (the bot's own page) in an iframe. The chat keeps
 * its cookie, socket and Content-Security-Policy on the bot's origin; this script only draws the
 * button and the frame. Optional: data-lang="ar|en|ur" on the script tag (default: the page's lang).
 */
(() => {
  'use strict';

  const LABELS = __WIDGET_LABELS__;
  const script = document.currentScript;
  if (!script || window.basirahChatWidget) return;
  window.basirahChatWidget = true;

  const origin = new URL(script.src, location.href).origin;
  const wanted = (script.dataset.lang || document.documentElement.lang || 'ar').slice(0, 2).toLowerCase();
  const lng = Object.prototype.hasOwnProperty.call(LABELS, wanted) ? wanted : 'ar';
  const labels = LABELS[lng];
  const side = lng === 'en' ? 'right' : 'left'; // the reading end of the page, where a floating button is expected
  const SVG = 'http://www.w3.org/2000/svg';

  function icon(path) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '28');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const shape = document.createElementNS(SVG, 'path');
    shape.setAttribute('d', path);
    shape.setAttribute('fill', '#ffffff');
    svg.append(shape);
    return svg;
  }
  const CHAT = 'M4 6.5A3.5 3.5 0 0 1 7.5 3h9A3.5 3.5 0 0 1 20 6.5v6a3.5 3.5 0 0 1-3.5 3.5H11l-5 4v-4.2A3.5 3.5 0 0 1 4 12.5z';
  const CLOSE = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z';

  const button = document.createElement('button');
  button.type = 'button';
  Object.assign(button.style, {
    position: 'fixed', bottom: '20px', [side]: '20px', zIndex: '2147483000',
    width: '60px', height: '60px', borderRadius: '50%', border: '0', padding: '0',
    background: '#0f766e', boxShadow: '0 4px 14px rgba(0,0,0,.25)', cursor: 'pointer',
    display: 'flex', alignItems: 'center', justifyContent: 'center',
  });

  let frame = null;
  function setOpen(open) {
    button.replaceChildren(icon(open ? CLOSE : CHAT));
    button.setAttribute('aria-label', open ? labels.close : labels.open);
    button.title = open ? labels.close : labels.open;
    button.setAttribute('aria-expanded', String(open));
    if (open && !frame) frame = createFrame();
    if (frame) frame.style.display = open ? 'block' : 'none';
  }

  function createFrame() {
    const el = document.createElement('iframe');
    el.src = origin + '/?lng=' + encodeURIComponent(lng);
    el.title = labels.title;
    el.id = 'basirah-chat-frame';
    Object.assign(el.style, {
      position: 'fixed', bottom: '92px', [side]: '16px', zIndex: '2147483000',
      width: 'min(400px, calc(100vw - 32px))', height: 'min(640px, calc(100vh - 112px))',
      border: '0', borderRadius: '16px', background: '#ffffff', boxShadow: '0 8px 30px rgba(0,0,0,.25)',
    });
    document.body.append(el);
    button.setAttribute('aria-controls', el.id);
    return el;
  }

  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  setOpen(false);
  // Without `defer` in <head> there is no body yet.
  const mount = () => document.body.append(button);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
