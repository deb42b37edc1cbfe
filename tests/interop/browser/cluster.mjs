// Cluster: this monolith as one active member with its four subsystems and its sealing pool.
import { args, withPage, open, until, screenshot, fail, main } from './lib.mjs';

main(() => withPage('cluster', async page => {
  const loadMs = await open(page, '#/cluster');
  const member = await until(page, `silo ${args.silo} active`, s => {
    const m = document.querySelector(`.member[data-silo="${s}"]`);
    return m && m.querySelector('.status')?.textContent === 'Active' && {
      machineClass: m.closest('[data-class]')?.dataset.class,
      subsystems: m.querySelector('.subsystems').textContent,
      text: m.innerText,
    };
  }, args.silo);
  if (member.machineClass !== 'monolith') fail(`machine class ${member.machineClass}`);
  for (const s of ['Mining', 'Sealing', 'SectorStorage', 'Markets']) if (!member.subsystems.includes(s)) fail(`subsystems: ${member.subsystems}`);
  if (!/Sealing pool/.test(member.text)) fail(`no sealing pool: ${member.text}`);
  const history = await page.$$eval('#history tbody tr', rows => rows.length);
  if (history < 1) fail('no silo start recorded');
  const shot = await screenshot(page, 'cluster.png');
  return { loadMs, member, history, shot };
}));
