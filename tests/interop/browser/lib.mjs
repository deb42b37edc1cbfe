// Shared by the page checks: Debian's Chromium through playwright-core, every request to another host refused and
// reported, page errors fail the check, screenshots under the directory the test gives.
import { chromium } from 'playwright-core';
import path from 'node:path';
import fs from 'node:fs';

export const args = JSON.parse(process.argv[2] || '{}');

export function fail(message) {
  throw new Error(message);
}

export async function withPage(name, run) {
  const browser = await chromium.launch({
    executablePath: process.env.GRANARY_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const errors = [];
  const external = [];
  const requests = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.route(url => !url.href.startsWith(args.base), route => { external.push(route.request().url()); return route.abort(); });
    const page = await context.newPage();
    page.setDefaultTimeout(args.timeoutMs || 30000);
    page.on('pageerror', e => errors.push(`page error: ${e.message}`));
    page.on('console', m => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`); });
    page.on('request', r => requests.push(new URL(r.url()).pathname));
    const result = await run(page, { requests });
    if (errors.length) fail(errors.join('; '));
    if (external.length) fail(`requests to other hosts: ${external.join(', ')}`);
    console.log(JSON.stringify({ page: name, ok: true, ...result }));
  } finally {
    await browser.close();
  }
}

export async function screenshot(page, file) {
  fs.mkdirSync(args.screenshots, { recursive: true });
  const target = path.join(args.screenshots, file);
  await page.screenshot({ path: target, fullPage: true });
  return target;
}

// Opens a page of the UI and waits for its first refresh.
export async function open(page, hash) {
  const started = Date.now();
  await page.goto(`${args.base}/ui/${hash}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.updated);
  return Date.now() - started;
}

// Waits until fn (run in the page) is truthy, without reloading; fails with what it last saw.
export async function until(page, description, fn, arg, timeoutMs) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout: timeoutMs || args.timeoutMs || 30000, polling: 250 });
    return await handle.jsonValue();
  } catch (e) {
    const text = await page.evaluate(() => document.querySelector('#content')?.innerText?.slice(0, 2000) ?? '');
    fail(`${description}: not seen (${e.message.split('\n')[0]}); the page shows:\n${text}`);
  }
}

export async function rpc(method, params) {
  const response = await fetch(args.rpc, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${args.adminToken}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: `Filecoin.${method}`, params }),
  });
  const body = await response.json();
  if (body.error) fail(`${method}: ${body.error.message}`);
  return body.result;
}

export async function main(fn) {
  try {
    await fn();
  } catch (e) {
    console.error(e.stack || String(e));
    process.exit(1);
  }
}
