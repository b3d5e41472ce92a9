// Opens switchboard's live console in headless Chromium and checks what an operator would: the page draws its
// charts with no console error, its numbers update every second, and they move when load is applied.
// usage: node console-check.cjs --url=http://127.0.0.1:ADMIN/ --load-url=URL --screenshot=FILE --chromium=PATH
// Prints one line: "ok {...}" or "fail REASON", and exits 0 or 1.
'use strict';
const { chromium } = require('playwright-core');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => {
  const [name, ...value] = arg.replace(/^--/, '').split('=');
  return [name, value.join('=')];
}));

async function load(url, millis) {
  const until = Date.now() + millis;
  let sent = 0;
  while (Date.now() < until) {
    await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((reply) => reply.text())));
    sent += 10;
  }
  return sent;
}

async function main() {
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => { if (message.type() === 'error') { errors.push(message.text()); } });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(args.url);
    await page.waitForFunction(() => Number(document.body.dataset.snapshots || 0) >= 2, null, { timeout: 15000 });
    const status = await page.textContent('#status');
    const canvases = await page.$$eval('.uplot canvas', (found) => found.length);
    const threads = await page.$$eval('#agents tbody tr', (rows) => rows.length);
    const sent = await load(args['load-url'], 3000);
    await page.waitForFunction(() => Number(document.getElementById('rates-http-requests').textContent) > 0,
      null, { timeout: 10000 });
    const rate = await page.textContent('#rates-http-requests');
    await page.screenshot({ path: args.screenshot, fullPage: true });
    if (errors.length > 0) {
      throw new Error('console errors: ' + JSON.stringify(errors));
    }
    if (status !== 'ok' || canvases < 2 || threads < 5) {
      throw new Error(JSON.stringify({ status, canvases, threads }));
    }
    console.log('ok ' + JSON.stringify({ status, canvases, threads, sent, rate }));
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  console.log('fail ' + String(error && error.message || error).replace(/\s+/g, ' '));
  process.exit(1);
});
