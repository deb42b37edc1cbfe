// Deals: the accepted deal and a refused proposal's reason; the checkpoint filter; the deal's checkpoints, which move on
// (its data imported) without a reload.
import { args, withPage, open, until, screenshot, fail, rpc, main } from './lib.mjs';

const uuid = args.deal;
const rowCheckpoint = (page) => page.evaluate(u => document.querySelector(`#deals tr[data-deal="${u}"] .checkpoint`)?.textContent ?? null, uuid);

main(() => withPage('deals', async page => {
  const loadMs = await open(page, '#/deals');
  await page.evaluate(() => { window.notReloaded = true; });
  const listed = await until(page, `deal ${uuid} listed at Accepted`, u => document.querySelector(`#deals tr[data-deal="${u}"] .checkpoint`)?.textContent === 'Accepted', uuid);
  const refusals = await until(page, 'the refused proposal with its reason', () => {
    const rows = [...document.querySelectorAll('#refusals tbody tr')].map(r => r.innerText);
    return rows.some(r => /asking price/.test(r)) && rows;
  });

  // The filter offers every checkpoint the API knows and narrows the list.
  const options = await page.$$eval('#checkpoint-filter option', os => os.map(o => o.value).filter(v => v));
  for (const c of ['Accepted', 'Transferred', 'Published', 'PublishConfirmed', 'AddedPiece', 'IndexedAndAnnounced', 'Complete']) {
    if (!options.includes(c)) fail(`filter lacks ${c}: ${options}`);
  }
  await page.selectOption('#checkpoint-filter', 'Accepted');
  await until(page, 'the Accepted filter', u => location.hash.includes('checkpoint=Accepted') && document.querySelector(`#deals tr[data-deal="${u}"]`) !== null, uuid);
  await page.selectOption('#checkpoint-filter', 'Complete');
  await until(page, 'the Complete filter without the deal', u => location.hash.includes('checkpoint=Complete') && /at Complete/.test(document.querySelector('#content').innerText)
    && document.querySelector(`#deals tr[data-deal="${u}"]`) === null, uuid);
  await page.selectOption('#checkpoint-filter', '');
  await until(page, 'every checkpoint again', u => document.querySelector(`#deals tr[data-deal="${u}"]`) !== null, uuid);
  const listShot = await screenshot(page, 'deals.png');

  await page.click(`#deals tr[data-deal="${uuid}"] a`);
  await until(page, 'the deal at Accepted with its checkpoint', () => document.querySelector('#deal-checkpoint')?.textContent === 'Accepted'
    && document.querySelector('#deal-checkpoints tr[data-checkpoint="Accepted"]') !== null);
  const detail = await page.textContent('#deal-detail');
  if (!detail.includes('offline')) fail(`deal detail: ${detail}`);

  const imported = await rpc('MarketImportDealData', [uuid, args.car]);
  const moved = await until(page, 'the deal moving past Accepted without a reload', () => {
    const c = document.querySelector('#deal-checkpoint')?.textContent;
    return c && c !== 'Accepted' && document.querySelectorAll('#deal-checkpoints tr[data-checkpoint]').length >= 2 && c;
  });
  const history = await page.$$eval('#deal-checkpoints tr[data-checkpoint]', rows => rows.map(r => r.dataset.checkpoint));
  const inList = await rowCheckpoint(page);
  if (!(await page.evaluate(() => window.notReloaded))) fail('the page reloaded');
  const dealShot = await screenshot(page, 'deal.png');
  return { loadMs, listed, refusals, options, imported: imported.Checkpoint, moved, history, inList, shots: [listShot, dealShot] };
}));
