// Overview: the miner, its power and balances, the 48 deadlines with the current one, alerts; the head moves without a reload.
import { args, withPage, open, until, screenshot, fail, main } from './lib.mjs';

main(() => withPage('overview', async (page, { requests }) => {
  const loadMs = await open(page, '#/overview');
  const assets = [...new Set(requests.filter(p => !p.startsWith('/ui/api/')))].sort();
  if (JSON.stringify(assets) !== JSON.stringify(['/ui/', '/ui/app.css', '/ui/app.js'])) fail(`the page loaded ${assets.join(', ')}, not one HTML, one JS, one CSS`);
  await page.evaluate(() => { window.notReloaded = true; });

  const miner = await until(page, `miner ${args.miner}`, m => document.querySelector('#miner-address')?.textContent === m && m, args.miner);
  const strip = await until(page, '48 deadlines, one current, one with the sealed sector', () => {
    const cells = [...document.querySelectorAll('#deadline-strip .deadline')];
    const current = cells.filter(c => c.classList.contains('current'));
    const used = cells.filter(c => !c.classList.contains('empty'));
    return cells.length === 48 && current.length === 1 && used.length >= 1
      ? { deadlines: cells.length, current: Number(current[0].dataset.index), withSectors: used.map(c => Number(c.dataset.index)) } : null;
  });
  const currentText = await page.textContent('#current-deadline');
  if (!currentText.includes(`deadline ${strip.current}`)) fail(`current deadline text: ${currentText}`);
  const balances = await page.textContent('#balances');
  if ((balances.match(/FIL/g) || []).length < 5) fail(`balances: ${balances}`);
  // Power counts once a sector's first WindowPoSt lands (its deadline may be minutes away): here the figures and the sector count.
  const power = await until(page, 'power and the sealed sectors', () => {
    const text = document.querySelector('#power')?.innerText || '';
    return /Raw byte power\s*\d+(\.\d+)? (B|KiB)/.test(text) && /Sectors\s*[1-9]/.test(text) && text;
  });
  const proving = await until(page, 'a Proving sector in the counts', () => Number(document.querySelector('#sector-counts [data-key="Proving"] b')?.textContent || 0));
  const alerts = await page.$$eval('#alerts li', items => items.map(i => i.textContent));

  const head = Number(await page.textContent('#head-height'));
  const moved = await until(page, 'the chain head moving on without a reload', h => Number(document.querySelector('#head-height')?.textContent) > h && Number(document.querySelector('#head-height').textContent), head, 20000);
  if (!(await page.evaluate(() => window.notReloaded))) fail('the page reloaded');
  const shot = await screenshot(page, 'overview.png');
  return { loadMs, assets, miner, strip, currentText, power: power.replace(/\s+/g, ' '), proving, alerts, head: [head, moved], shot };
}));
