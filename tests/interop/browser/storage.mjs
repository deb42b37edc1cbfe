// Storage: the attached path under its silo, with capacity, use and its sectors.
import { args, withPage, open, until, screenshot, fail, main } from './lib.mjs';

main(() => withPage('storage', async page => {
  const loadMs = await open(page, '#/storage');
  const row = await until(page, `path ${args.path} with sectors`, p => {
    const rows = [...document.querySelectorAll('.silo-group tr[data-path]')].map(r => ({ silo: r.closest('.silo-group').dataset.silo, cells: [...r.cells].map(c => c.innerText.trim()) }));
    const mine = rows.find(r => r.cells[0] === p);
    return mine && Number(mine.cells[7]) >= 1 && mine;
  }, args.path);
  const [, , use, capacity, , available, , , heartbeat] = row.cells;
  if (use !== 'seal + store' || !/\d/.test(capacity) || !/\d/.test(available) || !heartbeat.startsWith('ok')) fail(`path row: ${JSON.stringify(row)}`);
  if (row.silo !== args.silo) fail(`path under silo ${row.silo}, not ${args.silo}`);
  const shot = await screenshot(page, 'storage.png');
  return { loadMs, row, shot };
}));
