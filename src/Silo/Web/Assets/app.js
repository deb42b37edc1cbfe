// Granary's operator pages: one script, no build step, no dependencies. Each page polls its JSON
// (/ui/api/NAME.json) every 2 s and redraws its content; the controls (filters, the token) stay as they are.
'use strict';
(() => {
  const REFRESH_MS = 2000;
  const TOKEN_KEY = 'granary.token';
  const $ = (selector, root = document) => root.querySelector(selector);
  const state = { token: sessionStorage.getItem(TOKEN_KEY) || '', perms: [], route: null, seq: 0, timer: 0, flash: null };

  // ---- DOM and formatting ----
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'style') Object.assign(el.style, v); // CSSOM, which the CSP allows (no inline style attribute)
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }
  const table = (heads, rows, attrs) => h('table', attrs, h('thead', null, h('tr', null, heads.map(x => h('th', null, x)))), h('tbody', null, rows));
  const card = (title, ...body) => h('section', { class: 'card' }, h('h3', null, title), body);
  const kv = pairs => h('dl', { class: 'kv' }, pairs.filter(p => p).map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]));

  function bytes(n) {
    n = Number(n);
    if (!Number.isFinite(n)) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${i === 0 ? n : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ${units[i]}`;
  }
  function fil(atto) {
    if (atto === null || atto === undefined || atto === '') return '—';
    let a;
    try { a = BigInt(atto); } catch { return String(atto); }
    const neg = a < 0n; if (neg) a = -a;
    const unit = 10n ** 18n;
    if (a > 0n && a < 10n ** 12n) return `${neg ? '-' : ''}${a} attoFIL`;
    const whole = a / unit;
    const frac = (a % unit).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
    return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''} FIL`;
  }
  function duration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
    const hours = Math.floor(m / 60);
    if (hours < 48) return `${hours}h ${m % 60}m`;
    return `${Math.floor(hours / 24)}d ${hours % 24}h`;
  }
  const when = iso => iso ? new Date(iso).toLocaleString() : '—';
  const since = iso => iso ? duration(Date.now() - new Date(iso).getTime()) : '—';
  const short = (text, n = 16) => !text ? '—' : text.length > n ? text.slice(0, n - 1) + '…' : text;
  const stateClass = s => !s ? '' : /Failed$/.test(s) || s === 'FaultReported' ? 'bad' : s === 'Proving' || s === 'IndexedAndAnnounced' ? 'good' : s === 'Removed' || s === 'Complete' ? 'muted' : 'busy';

  function errorsBox(data) {
    const errors = Object.entries(data.errors || {});
    return errors.length === 0 ? null : h('div', { class: 'errors', role: 'status' },
      errors.map(([part, message]) => h('div', null, h('b', null, part), ': ', message)));
  }
  function progressBar(fraction, label) {
    const pct = Math.max(0, Math.min(100, fraction * 100));
    return h('span', { class: 'bar', title: label || `${pct.toFixed(0)}%` }, h('span', { style: { width: `${pct.toFixed(1)}%` } }), h('em', null, label || `${pct.toFixed(0)}%`));
  }

  // ---- API ----
  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `${url}: HTTP ${response.status}`);
    return body;
  }
  async function action(url) {
    const response = await fetch(url, { method: 'POST', headers: state.token ? { Authorization: `Bearer ${state.token}` } : {} });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }
  async function checkToken() {
    const status = $('#token-status');
    if (!state.token) { state.perms = []; status.textContent = 'read-only (no token)'; status.className = 'muted'; return; }
    try {
      const response = await fetch('/ui/api/whoami', { headers: { Authorization: `Bearer ${state.token}` } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
      state.perms = body.permissions;
      status.textContent = `token: ${state.perms.join(', ')}`;
      status.className = state.perms.includes('write') ? 'good' : 'muted';
    } catch (e) {
      state.perms = [];
      status.textContent = `token refused: ${e.message}`;
      status.className = 'bad';
    }
  }
  const canWrite = () => state.perms.includes('write');

  // ---- Pages ----
  const pages = {};

  pages.overview = {
    urls: () => ({ main: '/ui/api/overview.json' }),
    render(d) {
      const actor = d.actor || {};
      const power = actor.Power || {};
      const b = d.balances || {};
      const dls = d.deadlines || [];
      const current = dls.find(x => x.Current);
      const proving = d.proving || {};
      return [
        errorsBox(d),
        h('div', { class: 'grid' },
          card('Miner', kv([
            ['Address', h('span', { id: 'miner-address', class: 'mono' }, d.miner ? d.miner.Miner : 'no miner (run granary init)')],
            ['Owner', h('span', { class: 'mono' }, d.miner && d.miner.Owner)],
            ['Worker', h('span', { class: 'mono' }, d.miner && d.miner.Worker)],
            ['Sector size', d.miner && d.miner.SectorSize],
            ['Peer id', h('span', { class: 'mono' }, short(actor.Info && actor.Info.PeerId, 24))],
          ])),
          card('Power', h('div', { id: 'power' }, kv([
            ['Raw byte power', bytes(power.RawBytePower)],
            ['Quality-adjusted', bytes(power.QualityAdjPower)],
            ['Network raw', bytes(power.NetworkRawBytePower)],
            ['Sectors', `${proving.Sectors ?? '—'} (${proving.Active ?? '—'} active, ${proving.Faults ?? '—'} faulty)`],
          ]))),
          card('Balances', h('div', { id: 'balances' }, kv([
            ['Miner actor', fil(b.Miner)],
            ['Worker', fil(b.Worker)],
            ['Owner', fil(b.Owner)],
            ['Market escrow', fil(b.MarketEscrow)],
            ['Market locked', fil(b.MarketLocked)],
          ]))),
          card('Chain', kv([
            ['Head', d.head ? h('span', { id: 'head-height' }, d.head.Height) : '—'],
            ['Behind wall clock', d.head ? `${d.head.LagSeconds} s` : '—'],
            ['Proving period', proving.PeriodStart !== undefined ? `starts ${proving.PeriodStart}, ${proving.ProvingPeriod} epochs` : '—'],
          ])),
        ),
        card('Deadlines', h('div', { id: 'deadline-strip', class: 'strip' }, dls.map(x => {
          const proven = x.Partitions > 0 && x.ProvenPartitions >= x.Partitions;
          const cls = ['deadline', x.Current ? 'current' : '', x.Faults > 0 ? 'faulty' : proven ? 'proven' : x.Sectors > 0 ? 'assigned' : 'empty'].join(' ');
          return h('span', {
            class: cls, dataset: { index: x.Index },
            title: `deadline ${x.Index} (opens ${x.Open}): ${x.Partitions} partitions, ${x.Sectors} sectors, ${x.Faults} faulty, ${x.ProvenPartitions} proven${x.PoSt ? ', PoSt ' + x.PoSt : ''}`,
          }, x.Index);
        })), h('p', { id: 'current-deadline' }, current
          ? `Current: deadline ${current.Index} — ${current.Partitions} partition(s), ${current.Sectors} sector(s), ${current.Faults} faulty; ${current.Partitions === 0 ? 'nothing to prove' : current.ProvenPartitions >= current.Partitions ? 'proven' : 'proving'}${current.PoSt ? ` (PoSt ${short(current.PoSt, 20)} at ${current.PoStHeight})` : ''}`
          : 'Current deadline: unknown'),
        h('p', { class: 'legend muted' }, h('span', { class: 'deadline proven' }, ''), ' proven ', h('span', { class: 'deadline assigned' }, ''), ' has sectors ',
          h('span', { class: 'deadline faulty' }, ''), ' faults ', h('span', { class: 'deadline empty' }, ''), ' empty ', h('span', { class: 'deadline current' }, ''), ' current')),
        h('div', { class: 'grid' },
          card('Alerts', h('ul', { id: 'alerts', class: 'alerts' }, (d.alerts || []).length === 0
            ? h('li', { class: 'good' }, 'nothing needs attention')
            : d.alerts.map(a => h('li', { class: a.Level }, a.Text)))),
          card('Faults', (d.faults || []).length === 0 ? h('p', { id: 'faults', class: 'good' }, 'no faulty sectors')
            : table(['Deadline', 'Partition', 'Sector', 'Recovering'], d.faults.map(f => h('tr', null, h('td', null, f.Deadline), h('td', null, f.Partition), h('td', null, f.Sector), h('td', null, f.Recovering ? 'yes' : 'no'))), { id: 'faults' })),
          card('Sectors', chips(d.sectors, 'sector-counts')),
          card('Deals', chips(Object.fromEntries(Object.entries(d.deals || {}).filter(([, n]) => n > 0)), 'deal-counts')),
        ),
      ];
    },
  };

  function chips(counts, id) {
    const entries = Object.entries(counts || {});
    return h('div', { id, class: 'chips' }, entries.length === 0 ? h('span', { class: 'muted' }, 'none')
      : entries.map(([k, n]) => h('span', { class: `chip ${stateClass(k)}`, dataset: { key: k } }, h('b', null, n), ' ', k)));
  }

  pages.sealing = {
    urls: r => ({ main: '/ui/api/sealing.json', detail: r.arg ? `/ui/api/sector.json?id=${encodeURIComponent(r.arg)}` : null }),
    render(d, r, detail) {
      const list = (d.sectors && d.sectors.Sectors) || [];
      const failedStates = new Set(d.failedStates || []);
      const failed = list.filter(s => failedStates.has(s.State));
      const jobs = Object.entries(d.jobs || {}).flatMap(([silo, js]) => js.map(j => ({ silo, ...j })));
      return [
        errorsBox(d),
        card('Sectors per state', chips(d.summary, 'state-counts')),
        detail ? timeline(detail, r.arg) : null,
        card(`Failed sectors (${failed.length})`, failed.length === 0 ? h('p', { id: 'failed', class: 'good' }, 'none failed')
          : table(['Sector', 'State', 'Error', 'Failures', 'Next automatic retry', ''], failed.map(s => h('tr', { dataset: { sector: s.SectorID } },
            h('td', null, h('a', { href: `#/sealing/${s.SectorID}` }, s.SectorID)),
            h('td', { class: 'state bad' }, s.State),
            h('td', { class: 'error' }, s.LastErr),
            h('td', null, s.Retries),
            h('td', null, when(s.RetryAt)),
            h('td', null, h('button', {
              class: 'retry', dataset: { sector: s.SectorID }, disabled: !canWrite(),
              title: canWrite() ? 'run the failed step again now' : 'needs a token with write',
              onclick: ev => retry(ev.target, s.SectorID),
            }, 'Retry'))
          )), { id: 'failed' })),
        card(`All sectors (${d.sectors ? d.sectors.Total : 0}${list.length < (d.sectors ? d.sectors.Total : 0) ? `, newest ${list.length}` : ''})`,
          table(['Sector', 'State', 'Stage', 'In state for', 'Silo', 'Deals'], list.map(s => h('tr', { dataset: { sector: s.SectorID }, class: String(s.SectorID) === r.arg ? 'selected' : null },
            h('td', null, h('a', { href: `#/sealing/${s.SectorID}` }, s.SectorID)),
            h('td', { class: `state ${stateClass(s.State)}` }, s.State),
            h('td', null, s.Stage ? [s.Stage, ' ', progressBar(s.Progress || 0)] : ''),
            h('td', null, since(s.Since)),
            h('td', { class: 'mono' }, short(s.Silo, 24)),
            h('td', null, (s.Deals || []).length ? s.Deals.join(', ') : 'CC'))), { id: 'sectors' })),
        card(`Sealing jobs (${jobs.length})`, jobs.length === 0 ? h('p', { class: 'muted' }, 'no running or queued task')
          : table(['Sector', 'Task', 'State', 'Since', 'Silo', 'Progress'], jobs.map(j => h('tr', null,
            h('td', null, j.Sector.Number), h('td', null, j.Task), h('td', null, j.State), h('td', null, since(j.Start)),
            h('td', { class: 'mono' }, short(j.Worker, 24)), h('td', null, j.Stage ? progressBar(j.Progress || 0, j.Stage) : ''))), { id: 'jobs' })),
      ];
    },
  };

  // A sector's state history as stage durations: each state lasts until the next is entered.
  function timeline(detail, id) {
    if (!detail.sector) return card(`Sector ${id}`, errorsBox(detail) || h('p', null, 'not found'));
    const s = detail.sector;
    const log = s.Log || [];
    const terminal = ['Proving', 'Removed', 'FaultReported'];
    const stages = log.map((e, i) => {
      const start = new Date(e.Time).getTime();
      const end = i + 1 < log.length ? new Date(log[i + 1].Time).getTime() : terminal.includes(e.State) ? start : Date.now();
      return { ...e, ms: Math.max(0, end - start), open: i + 1 === log.length };
    });
    const total = stages.reduce((a, x) => a + x.ms, 0) || 1;
    return card(`Sector ${s.SectorID} — ${s.State}`, h('div', { id: 'timeline' },
      kv([
        ['State', h('span', { class: `state ${stateClass(s.State)}`, id: 'sector-state' }, s.State)],
        ['Created', when(s.Created)],
        ['Pipeline time', duration(stages.slice(0, -1).reduce((a, x) => a + x.ms, 0))],
        ['On chain / active', `${s.OnChain ? 'yes' : 'no'} / ${s.Active ? 'yes' : 'no'}`],
        ['CommR', h('span', { class: 'mono' }, s.CommR ? short(s.CommR['/'], 40) : '—')],
        ['Last error', s.LastErr || '—'],
      ]),
      h('div', { class: 'gantt' }, stages.filter(x => x.ms > 0).map(x => h('span', {
        class: `seg ${stateClass(x.State)}`, style: { flexGrow: Math.max(x.ms / total, 0.004).toFixed(4) }, title: `${x.State}: ${duration(x.ms)}`,
      }))),
      table(['State', 'Entered', 'Duration', 'Silo', 'Note'], stages.map(x => h('tr', { class: 'stage', dataset: { state: x.State } },
        h('td', { class: `state ${stateClass(x.State)}` }, x.State), h('td', null, when(x.Time)),
        h('td', { class: 'duration' }, x.open && terminal.includes(x.State) ? '—' : duration(x.ms) + (x.open ? ' so far' : '')),
        h('td', { class: 'mono' }, short(x.Silo, 24)), h('td', null, x.Message))))));
  }

  async function retry(button, sector) {
    button.disabled = true;
    try {
      const result = await action(`/ui/api/sectors/${sector}/retry`);
      state.flash = { ok: true, text: `sector ${sector}: retrying from ${result.retried}`, until: Date.now() + 10000 };
    } catch (e) {
      state.flash = { ok: false, text: `sector ${sector}: ${e.message}`, until: Date.now() + 10000 };
    }
    refresh();
  }

  pages.deals = {
    urls: r => ({
      main: `/ui/api/deals.json${r.query.checkpoint ? `?checkpoint=${encodeURIComponent(r.query.checkpoint)}` : ''}`,
      detail: r.arg ? `/ui/api/deal.json?uuid=${encodeURIComponent(r.arg)}` : null,
    }),
    shell(r) {
      const select = h('select', { id: 'checkpoint-filter', 'aria-label': 'checkpoint',
        onchange: ev => { location.hash = `#/deals${r.arg ? '/' + r.arg : ''}${ev.target.value ? '?checkpoint=' + encodeURIComponent(ev.target.value) : ''}`; } },
        h('option', { value: '' }, 'every checkpoint'));
      return h('div', { class: 'controls' }, h('label', null, 'Checkpoint ', select));
    },
    render(d, r, detail) {
      const select = $('#checkpoint-filter');
      for (const c of d.checkpoints || []) {
        if (![...select.options].some(o => o.value === c)) select.append(h('option', { value: c }, c));
      }
      select.value = r.query.checkpoint || '';
      const list = d.list || {};
      return [
        errorsBox(d),
        card('Deals per checkpoint', chips(d.counts, 'deal-counts'),
          h('p', { class: 'muted' }, `${list.Total ?? 0} deals · ${bytes(list.StagingBytesReserved || 0)} of staging reserved · ${list.Transfers ?? 0} transfers under way`)),
        detail ? dealDetail(detail, r.arg) : null,
        card(`Deals${d.filter ? ' at ' + d.filter : ''} (${(d.deals || []).length})`, table(['Created', 'Deal', 'Client', 'Piece', 'Checkpoint', 'Transfer', 'Chain deal', 'Error'],
          (d.deals || []).map(x => h('tr', { dataset: { deal: x.DealUuid }, class: x.DealUuid === r.arg ? 'selected' : null },
            h('td', null, when(x.CreatedAt)),
            h('td', { class: 'mono' }, h('a', { href: `#/deals/${x.DealUuid}${r.query.checkpoint ? '?checkpoint=' + encodeURIComponent(r.query.checkpoint) : ''}` }, short(x.DealUuid, 13))),
            h('td', { class: 'mono' }, short(x.Client, 14)),
            h('td', null, bytes(x.PieceSize)),
            h('td', { class: `checkpoint ${stateClass(x.Checkpoint)}` }, x.Checkpoint),
            h('td', null, transfer(x)),
            h('td', null, x.ChainDealId || '—'),
            h('td', { class: 'error' }, x.Error || ''))), { id: 'deals' })),
        card(`Refused proposals (${(d.refusals || []).length}, this silo since it started)`, (d.refusals || []).length === 0 ? h('p', { id: 'refusals', class: 'muted' }, 'none')
          : table(['When', 'Reason', 'Message'], d.refusals.map(x => h('tr', null, h('td', null, when(x.At)), h('td', null, x.Reason), h('td', { class: 'error' }, x.Message))), { id: 'refusals' })),
      ];
    },
  };

  function transfer(x) {
    if (x.IsOffline) return x.Checkpoint === 'Accepted' ? 'offline: waiting for import' : 'offline';
    if (x.NBytesReceived !== undefined && x.TransferSize > 0) return progressBar(x.NBytesReceived / x.TransferSize, `${bytes(x.NBytesReceived)} / ${bytes(x.TransferSize)}`);
    return x.TransferSize ? bytes(x.TransferSize) : '—';
  }

  function dealDetail(detail, uuid) {
    if (!detail.deal) return card(`Deal ${uuid}`, errorsBox(detail) || h('p', null, 'not found'));
    const x = detail.deal;
    const s = x.Deal;
    const history = x.History || [];
    return card(`Deal ${s.DealUuid}`, h('div', { id: 'deal-detail' },
      kv([
        ['Checkpoint', h('span', { id: 'deal-checkpoint', class: `checkpoint ${stateClass(s.Checkpoint)}` }, s.Checkpoint)],
        ['Client', h('span', { class: 'mono' }, s.Client)],
        ['Piece', h('span', { class: 'mono' }, `${s.PieceCid} (${bytes(s.PieceSize)})`)],
        ['Proposal', h('span', { class: 'mono' }, x.ProposalCid)],
        ['Epochs', `${s.StartEpoch} → ${s.EndEpoch}`],
        ['Price per epoch', fil(s.PricePerEpoch)],
        ['Transfer', (s.IsOffline ? 'offline' : x.TransferType || 'online') + (s.TransferSize ? ` · ${bytes(x.NBytesReceived || 0)} of ${bytes(s.TransferSize)}` : '')],
        s.TransferSize ? ['Received', progressBar((x.NBytesReceived || 0) / s.TransferSize)] : null,
        ['Chain deal id', s.ChainDealId || '—'],
        ['Sector', x.SectorNumber ?? '—'],
        ['Sealing', x.SealingStatus || '—'],
        ['Error', s.Error || '—'],
      ]),
      table(['Checkpoint', 'At', 'After', 'Silo', 'Note'], history.map((e, i) => h('tr', { class: 'checkpoint-row', dataset: { checkpoint: e.Checkpoint } },
        h('td', { class: `checkpoint ${stateClass(e.Checkpoint)}` }, e.Checkpoint), h('td', null, when(e.At)),
        h('td', null, i === 0 ? '' : duration(new Date(e.At) - new Date(history[i - 1].At))),
        h('td', { class: 'mono' }, short(e.Silo, 24)), h('td', null, e.Note))), { id: 'deal-checkpoints' })));
  }

  pages.storage = {
    urls: () => ({ main: '/ui/api/storage.json' }),
    render(d) {
      const paths = d.paths || [];
      const bySilo = new Map();
      for (const p of paths) {
        const silo = (p.Info && p.Info.Silo) || 'unknown silo';
        if (!bySilo.has(silo)) bySilo.set(silo, []);
        bySilo.get(silo).push(p);
      }
      return [
        errorsBox(d),
        paths.length === 0 ? card('Storage paths', h('p', { class: 'muted' }, 'no storage path attached: granary storage attach --init --seal --store DIR')) : null,
        [...bySilo.entries()].map(([silo, ps]) => {
          const cap = ps.reduce((a, p) => a + ((p.Stat && p.Stat.Capacity) || 0), 0);
          const avail = ps.reduce((a, p) => a + ((p.Stat && p.Stat.Available) || 0), 0);
          return h('section', { class: 'card silo-group', dataset: { silo } },
            h('h3', null, silo, h('span', { class: 'muted' }, ` — ${ps.length} path(s), ${bytes(cap - avail)} used of ${bytes(cap)}`)),
            table(['Path', 'ID', 'Use', 'Capacity', 'Used', 'Available', 'Reserved', 'Sectors', 'Heartbeat'], ps.map(p => {
              const i = p.Info || {}; const s = p.Stat || {};
              return h('tr', { dataset: { path: p.ID } },
                h('td', { class: 'mono' }, i.LocalPath || (i.URLs || [])[0] || '—'),
                h('td', { class: 'mono' }, short(p.ID, 10)),
                h('td', null, [i.CanSeal ? 'seal' : null, i.CanStore ? 'store' : null].filter(Boolean).join(' + ') || '—'),
                h('td', null, bytes(s.Capacity)),
                h('td', null, s.Capacity ? progressBar((s.Capacity - s.Available) / s.Capacity, bytes(s.Capacity - s.Available)) : '—'),
                h('td', null, bytes(s.Available)),
                h('td', null, bytes(s.Reserved)),
                h('td', null, p.Sectors),
                h('td', { class: i.Available === false ? 'bad' : 'good' }, i.Available === false ? `lost: ${i.HeartbeatErr || 'no heartbeat'}` : `ok ${since(i.LastHeartbeat)} ago`));
            })));
        }),
      ];
    },
  };

  function machineClass(subsystems) {
    const s = new Set(subsystems || []);
    if (s.has('Mining') && s.has('Sealing') && s.has('Markets')) return 'monolith';
    if (s.has('Markets') && s.size === 1) return 'gateway (markets)';
    if (s.has('Sealing') && !s.has('Markets') && !s.has('Mining')) return 'sealing';
    if (s.has('Mining') && !s.has('Markets') && !s.has('Sealing')) return 'proving';
    if (s.size === 1 && s.has('SectorStorage')) return 'storage';
    return 'custom';
  }

  pages.cluster = {
    urls: () => ({ main: '/ui/api/cluster.json' }),
    render(d) {
      const members = d.members || [];
      const workers = d.workers || {};
      const classes = new Map();
      for (const m of members) {
        const c = machineClass(m.Subsystems);
        if (!classes.has(c)) classes.set(c, []);
        classes.get(c).push(m);
      }
      const self = d.self || {};
      return [
        errorsBox(d),
        card('This silo', kv([['Silo', h('span', { class: 'mono' }, self.Silo)], ['Version', self.Version], ['Subsystems', (d.subsystems || []).join(', ')],
          ['Database', self.Database], ['Chain', self.Chain], ['Members', members.length]])),
        [...classes.entries()].map(([c, ms]) => h('section', { class: 'card', dataset: { class: c } }, h('h3', null, `${c} (${ms.length})`),
          h('div', { class: 'members' }, ms.map(m => {
            const w = workers[m.Name];
            return h('div', { class: `member ${m.Status === 'Active' ? 'good' : 'bad'}`, dataset: { silo: m.Name } },
              h('b', { class: 'mono' }, m.Name, m.Self ? ' (this silo)' : ''),
              kv([['Status', h('span', { class: 'status' }, m.Status)], ['Address', h('span', { class: 'mono' }, m.Address)], ['Host', m.Host],
                ['Subsystems', h('span', { class: 'subsystems' }, (m.Subsystems || []).join(', '))],
                w ? ['Sealing pool', `${w.CpuUse}/${w.Info.Resources.CPUs} cores, ${bytes(w.MemUsedMax)} of ${bytes(w.Info.Resources.MemPhysical)}${w.Enabled ? '' : ' — ' + (w.Error || 'disabled')}`] : null,
                w ? ['Tasks', Object.entries(w.TaskCounts || {}).map(([t, n]) => `${t}×${n}`).join(' ') || 'idle'] : null]));
          })))),
        card('Silo starts', table(['Silo', 'Started', 'Subsystems', 'Version', 'Address'], ((d.history && d.history.Recent) || []).slice(-12).reverse()
          .map(s => h('tr', null, h('td', { class: 'mono' }, short(s.SiloName, 24)), h('td', null, when(s.StartedAt)), h('td', null, s.Subsystems), h('td', null, s.Version), h('td', { class: 'mono' }, s.Address))), { id: 'history' })),
      ];
    },
  };

  // ---- Routing and refresh ----
  function parseRoute() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, q] = hash.split('?');
    const [page, arg] = path.split('/');
    return { page: pages[page] ? page : 'overview', arg: arg ? decodeURIComponent(arg) : null, query: Object.fromEntries(new URLSearchParams(q || '')) };
  }

  function navigate() {
    const r = parseRoute();
    const pageChanged = !state.route || state.route.page !== r.page;
    state.route = r;
    document.querySelectorAll('nav a[data-page]').forEach(a => a.classList.toggle('active', a.dataset.page === r.page));
    if (pageChanged) {
      const root = $('#page');
      root.replaceChildren(pages[r.page].shell ? pages[r.page].shell(r) : '', h('div', { id: 'flash' }), h('div', { id: 'content' }, h('p', { class: 'muted' }, 'Loading…')));
      root.dataset.page = r.page;
    }
    refresh();
  }

  async function refresh() {
    clearTimeout(state.timer);
    const seq = ++state.seq;
    const r = state.route;
    const page = pages[r.page];
    const urls = page.urls(r);
    try {
      const [main, detail] = await Promise.all([getJson(urls.main), urls.detail ? getJson(urls.detail).catch(e => ({ errors: { detail: e.message } })) : null]);
      if (seq !== state.seq) return;
      $('#silo').textContent = main.silo || '';
      $('#content').replaceChildren(...[page.render(main, r, detail)].flat(Infinity).filter(x => x));
      if (state.flash && state.flash.until < Date.now()) state.flash = null;
      const flash = $('#flash');
      flash.replaceChildren(state.flash ? h('div', { class: state.flash.ok ? 'flash good' : 'flash bad' }, state.flash.text) : '');
      $('#live').className = 'dot ok';
      $('#updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.updated = String(Date.now());
    } catch (e) {
      if (seq !== state.seq) return;
      $('#live').className = 'dot bad';
      $('#updated').textContent = `update failed: ${e.message}`;
    }
    if (seq === state.seq) state.timer = setTimeout(refresh, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#token').value = state.token;
    $('#token-form').addEventListener('submit', async ev => {
      ev.preventDefault();
      state.token = $('#token').value.trim();
      if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token); else sessionStorage.removeItem(TOKEN_KEY);
      await checkToken();
      refresh();
    });
    window.addEventListener('hashchange', navigate);
    checkToken().then(navigate);
  });
})();
