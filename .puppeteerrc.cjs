/**
 * Puppeteer (pulled in by whatsapp-web.js) must not download its own Chrome: the bot drives the
 * system Chromium (CHROMIUM_PATH), and installs run where only package registries are reachable.
 */
module.exports = { skipDownload: true };
