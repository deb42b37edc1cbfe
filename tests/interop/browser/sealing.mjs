// Sealing: a failed sector with its error; Retry refused without a write token, done with one; the sector then walks
// to Proving on its timeline and a newly pledged sector appears, all without a reload.
import { args, withPage, open, until, screenshot, fail, rpc, main } from './lib.mjs';

const n = args.failedSector;
const useToken = async (page, token, perm) => {
  await page.fill('#token', token);
  await page.click('#token-form button');
  await until(page, `token status with ${perm}`, p => new RegExp(`token: .*\\b${p}\\b`).test(document.querySelector('#token-status').textContent), perm);
};
const status = (page, token) => page.evaluate(async ([sector, t]) => {
  const r = await fetch(`/ui/api/sectors/${sector}/retry`, { method: 'POST', headers: t ? { Authorization: `Bearer ${t}` } : {} });
  return [r.status, (await r.json()).error];
}, [n, token]);

main(() => withPage('sealing', async page => {
  const loadMs = await open(page, '#/sealing');
  await page.evaluate(() => { window.notReloaded = true; });
  const failed = await until(page, `sector ${n} in the failed list`, s => {
    const row = document.querySelector(`#failed tr[data-sector="${s}"]`);
    return row && { state: row.querySelector('.state').textContent, error: row.querySelector('.error').textContent, retryDisabled: row.querySelector('button.retry').disabled };
  }, n);
  if (!/Failed$/.test(failed.state) || failed.error.length === 0 || !failed.retryDisabled) fail(`failed row: ${JSON.stringify(failed)}`);
  const counts = await page.textContent('#state-counts');
  const failedShot = await screenshot(page, 'sealing-failed.png');

  // No token: 401; a read token: 403 and the button stays disabled.
  const refused = { none: await status(page, ''), forged: await status(page, args.readToken.slice(0, -4) + 'AAAA'), read: await status(page, args.readToken) };
  if (refused.none[0] !== 401 || refused.forged[0] !== 401 || refused.read[0] !== 403) fail(`refusals: ${JSON.stringify(refused)}`);
  await useToken(page, args.readToken, 'read');
  await until(page, 'Retry still disabled with a read token', s => document.querySelector(`#failed tr[data-sector="${s}"] button.retry`)?.disabled === true, n);

  await useToken(page, args.writeToken, 'write');
  await until(page, 'Retry enabled with a write token', s => document.querySelector(`#failed tr[data-sector="${s}"] button.retry`)?.disabled === false, n);
  await page.click(`#failed tr[data-sector="${n}"] button.retry`);
  const flash = await until(page, 'the retry confirmed', () => /retrying from/.test(document.querySelector('#flash')?.textContent || '') && document.querySelector('#flash').textContent);
  const next = await until(page, `sector ${n} out of its failed state`, s => {
    const state = document.querySelector(`#sectors tr[data-sector="${s}"] .state`)?.textContent;
    return state && !/Failed$/.test(state) && state;
  }, n);
  const again = await status(page, args.writeToken);

  // A sector pledged now appears without a reload.
  const pledged = await rpc('PledgeSector', []);
  await until(page, `pledged sector ${pledged.Number} listed`, s => document.querySelector(`#sectors tr[data-sector="${s}"]`) !== null, pledged.Number);

  // The retried sector's timeline, followed to Proving.
  await page.click(`#sectors tr[data-sector="${n}"] a`);
  await until(page, 'the timeline', () => document.querySelector('#timeline') !== null);
  await until(page, `sector ${n} Proving on its timeline`, () => document.querySelector('#sector-state')?.textContent === 'Proving', null, args.provingTimeoutMs || 240000);
  const stages = await page.$$eval('#timeline tr.stage', rows => rows.map(r => ({ state: r.dataset.state, duration: r.querySelector('.duration').textContent })));
  const seen = new Set(stages.map(s => s.state));
  for (const s of ['Packing', 'AddPieceFailed', 'GetTicket', 'PreCommit1', 'PreCommit2', 'WaitSeed', 'Committing', 'FinalizeSector', 'Proving']) {
    if (!seen.has(s)) fail(`timeline lacks ${s}: ${JSON.stringify(stages)}`);
  }
  if (!stages.filter(s => s.state !== 'Proving').every(s => /\d/.test(s.duration))) fail(`stage without a duration: ${JSON.stringify(stages)}`);
  if (!(await page.evaluate(() => window.notReloaded))) fail('the page reloaded');
  const timelineShot = await screenshot(page, 'sealing-timeline.png');
  return { loadMs, failed, counts, refused, flash, next, again, pledged: pledged.Number, stages, shots: [failedShot, timelineShot] };
}));
