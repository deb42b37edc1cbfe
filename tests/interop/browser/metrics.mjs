// /metrics through an independent Prometheus text parser: the expected families, their types and sane values.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { args, fail, main } from './lib.mjs';

main(async () => {
  const response = await fetch(`${args.base}/metrics`);
  if (response.status !== 200) fail(`/metrics: HTTP ${response.status}`);
  const type = response.headers.get('content-type') || '';
  if (!type.startsWith('text/plain')) fail(`content type ${type}`);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  const byName = new Map(families.map(f => [f.name, f]));
  const family = (name, kind) => {
    const f = byName.get(name);
    if (!f) fail(`no ${name} among ${[...byName.keys()].filter(n => n.startsWith('granary')).join(', ')}`);
    if (f.type !== kind) fail(`${name} is a ${f.type}, not a ${kind}`);
    return f;
  };
  const value = (f, labels) => {
    const m = f.metrics.find(x => Object.entries(labels).every(([k, v]) => (x.labels || {})[k] === v));
    return m ? Number(m.value) : undefined;
  };
  const sum = f => f.metrics.reduce((a, m) => a + Number(m.value), 0);
  // The parser reads histograms without labels only (it flattens by 'le' and keeps _sum/_count only when unlabelled), so
  // each series of a labelled histogram is handed to it on its own with just its 'le' labels; the series' labels are read
  // by the parser too, from a one-line gauge.
  const histogram = name => {
    const series = new Map();
    for (const line of text.split('\n').filter(l => /^[a-z_]+(_bucket|_sum|_count)\{/.test(l) && l.startsWith(name + '_'))) {
      const key = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')).split(',').filter(l => !l.startsWith('le=')).join(',');
      if (!series.has(key)) series.set(key, []);
      const le = /[{,](le="[^"]*")/.exec(line);
      series.get(key).push(line.replace(/\{.*\}/, le ? `{${le[1]}}` : ''));
    }
    return [...series.entries()].map(([key, lines]) => {
      const [parsed] = parsePrometheusTextFormat(`# TYPE ${name} histogram\n${lines.join('\n')}\n`);
      const [labels] = parsePrometheusTextFormat(`# TYPE l gauge\nl{${key}} 0\n`);
      return { labels: labels.metrics[0].labels, ...parsed.metrics[0] };
    });
  };

  const deals = family('granary_deals', 'GAUGE');
  const sectors = family('granary_sectors', 'GAUGE');
  const lag = family('granary_chain_head_lag_seconds', 'GAUGE');
  const height = family('granary_chain_head_height', 'GAUGE');
  const proposals = family('granary_deal_proposals_total', 'COUNTER');
  family('granary_sealing_stage_duration_seconds', 'HISTOGRAM');
  const stages = { metrics: histogram('granary_sealing_stage_duration_seconds') };
  const deadlineSectors = family('granary_windowpost_deadline_sectors', 'GAUGE');
  const partitions = family('granary_windowpost_deadline_partitions', 'GAUGE');
  const orleans = [...byName.keys()].filter(n => n.startsWith('orleans_'));

  const checks = {
    proving: value(sectors, { state: 'Proving' }),
    dealCheckpoints: deals.metrics.map(m => m.labels.checkpoint),
    accepted: value(proposals, { result: 'accepted' }),
    refused: proposals.metrics.filter(m => m.labels.result === 'refused').map(m => [m.labels.reason, Number(m.value)]),
    lag: Number(lag.metrics[0].value),
    height: Number(height.metrics[0].value),
    stages: stages.metrics.map(m => [m.labels.stage, m.labels.outcome, Number(m.count), Number(m.sum)]),
    liveSectors: sum({ metrics: deadlineSectors.metrics.filter(m => m.labels.kind === 'live') }),
    partitions: sum({ metrics: partitions.metrics.filter(m => m.labels.kind === 'all') }),
    orleans: orleans.length,
  };
  if (!(checks.proving >= 1)) fail(`Proving sectors: ${checks.proving}`);
  for (const c of ['Accepted', 'Transferred', 'Complete']) if (!checks.dealCheckpoints.includes(c)) fail(`no deal gauge for ${c}`);
  if (!(checks.accepted >= 1)) fail(`accepted proposals: ${checks.accepted}`);
  if (!checks.refused.some(([reason, n]) => /asking price/.test(reason) && n >= 1)) fail(`refusals: ${JSON.stringify(checks.refused)}`);
  if (!(checks.lag >= 0 && checks.lag < 60)) fail(`head lag ${checks.lag} s`);
  if (!(checks.height > 0)) fail(`head height ${checks.height}`);
  for (const stage of ['PC1', 'PC2', 'C2']) {
    const row = checks.stages.find(([s, outcome]) => s === stage && outcome === 'ok');
    if (!row || !(row[2] >= 1) || !(row[3] > 0)) fail(`stage ${stage}: ${JSON.stringify(checks.stages)}`);
  }
  for (const m of stages.metrics) {
    const buckets = m.buckets || {};
    const counts = Object.entries(buckets).map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < counts.length; i++) if (counts[i][1] < counts[i - 1][1]) fail(`histogram buckets not cumulative: ${JSON.stringify(counts)}`);
  }
  if (!(checks.liveSectors >= 1) || !(checks.partitions >= 1)) fail(`deadline figures: ${checks.liveSectors} live sectors, ${checks.partitions} partitions`);
  if (checks.orleans < 3) fail(`Orleans metrics: ${orleans.join(', ')}`);
  console.log(JSON.stringify({ page: 'metrics', ok: true, families: families.length, bytes: text.length, checks, orleans: orleans.slice(0, 10) }));
});
