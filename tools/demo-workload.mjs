// The demo workload of `./shardcast up`: replays real Wikipedia page requests (January 2016,
// ../shared/data/wikipedia-2016-01, or SHARDCAST_DEMO_TRACE), one trace hour every
// DEMO_HOUR_MS (10 s), two ways: as raw access events on the `access` topic (an outside
// producer), and as KV traffic on the storage-nodes (each hour's most requested pages are
// written, then read in proportion to their requests), whose access summaries reach the
// profiler too. The profiler and predictor so see a real daily cycle and real flash crowds.
// Without the trace it sends a synthetic Zipf load.
import { createReadStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const defaultTrace = join(repo, '..', 'shared', 'data', 'wikipedia-2016-01', 'page-hour-requests.csv.gz');

/** Splits one CSV line of `hour_start_unix,key,requests`, where the key may be quoted. */
export function parseTraceLine(line) {
  const first = line.indexOf(',');
  const last = line.lastIndexOf(',');
  if (first < 0 || last <= first) return undefined;
  let key = line.slice(first + 1, last);
  if (key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1).replaceAll('""', '"');
  const hour = Number(line.slice(0, first));
  const requests = Number(line.slice(last + 1));
  if (!Number.isFinite(hour) || !Number.isInteger(requests) || requests < 0 || key.length === 0)
    return undefined;
  return { hour, key, requests };
}

async function* traceHours(path) {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let hour;
  let rows = [];
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const row = parseTraceLine(line);
    if (!row) continue;
    if (hour !== undefined && row.hour !== hour) {
      yield { hour, rows };
      rows = [];
    }
    hour = row.hour;
    rows.push(row);
  }
  if (rows.length > 0) yield { hour, rows };
}

function* syntheticHours() {
  for (let h = 0; ; h += 1) {
    const load = 2000 + 1500 * Math.sin((2 * Math.PI * h) / 24);
    const rows = [];
    for (let i = 1; i <= 500; i += 1)
      rows.push({ key: `synthetic:key-${i}`, requests: Math.round(load / i ** 1.1) });
    yield { hour: 1451606400 + h * 3600, rows };
  }
}

export async function startDemo({ kafkaBrokers, say, logWriter, storageNodes = [] }) {
  const { KafkaGateway, JsonLogger, MessagingMetrics, createMetricsRegistry } =
    await import('@shardcast/platform');
  const gateway = new KafkaGateway({
    brokers: kafkaBrokers.split(','),
    clientId: 'shardcast-demo',
    topicPrefix: process.env.TOPIC_PREFIX ?? '',
    logger: new JsonLogger('demo', 'info', logWriter),
    metrics: new MessagingMetrics(createMetricsRegistry('demo')),
  });
  const hourMs = Number(process.env.DEMO_HOUR_MS ?? 10_000);
  const trace = process.env.SHARDCAST_DEMO_TRACE ?? defaultTrace;
  const source = existsSync(trace) ? traceHours(trace) : syntheticHours();
  say(
    `demo: replaying ${existsSync(trace) ? trace : 'a synthetic Zipf load'} as access events, one trace hour per ${hourMs / 1000} s`,
  );

  let running = true;
  let sent = 0;
  const kv = new KvTraffic(storageNodes);
  const loop = (async () => {
    for await (const { hour, rows } of source) {
      if (!running) break;
      const started = Date.now();
      // Spread the hour's requests over its replay window in 20 slices.
      const events = rows.flatMap((r) => Array.from({ length: Math.min(r.requests, 200) }, () => r.key));
      const slice = Math.ceil(events.length / 20);
      const kvPlan = kv.planHour(hour, rows);
      for (let i = 0; i < 20 && running; i += 1) {
        await kv.runSlice(kvPlan, i, 20);
        const batch = events
          .slice(i * slice, (i + 1) * slice)
          .map((key) => ({ ts: Date.now(), key, op: 'read', bytes: 0, client: 'demo' }));
        await gateway.publishAll('access', batch).catch((e) => say(`demo: publish failed: ${e.message}`));
        sent += batch.length;
        const wait = started + ((i + 1) * hourMs) / 20 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      say(
        `demo: trace hour ${new Date(hour * 1000).toISOString()} replayed (${sent} access events so far${kv.describe()})`,
      );
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => undefined);
    await gateway.disconnect();
  };
}

/**
 * KV traffic for one trace hour: the hour's most requested pages are written (value: the
 * page's record for that hour), then read in proportion to their requests, spread over the
 * hour's replay window and round-robin over the storage-nodes.
 */
class KvTraffic {
  constructor(nodes, { pagesPerHour = 40, readsPerHour = 400 } = {}) {
    this.urls = nodes.map((node) => `http://127.0.0.1:${node.port}`);
    this.pagesPerHour = pagesPerHour;
    this.readsPerHour = readsPerHour;
    this.counts = { puts: 0, gets: 0, failed: 0 };
    this.next = 0;
  }

  planHour(hour, rows) {
    if (this.urls.length === 0) return { writes: [], reads: [] };
    const top = [...rows].sort((a, b) => b.requests - a.requests).slice(0, this.pagesPerHour);
    const total = top.reduce((sum, row) => sum + row.requests, 0) || 1;
    const writes = top.map((row) => ({
      key: row.key,
      value: JSON.stringify({ hour, requests: row.requests }),
    }));
    const reads = top.flatMap((row) =>
      Array.from(
        { length: Math.max(1, Math.round((this.readsPerHour * row.requests) / total)) },
        () => row.key,
      ),
    );
    return { writes, reads };
  }

  async runSlice(plan, index, slices) {
    const part = (list) =>
      list.slice(
        Math.floor((index * list.length) / slices),
        Math.floor(((index + 1) * list.length) / slices),
      );
    await Promise.all([
      ...part(plan.writes).map((w) => this.request('PUT', w.key, w.value)),
      ...part(plan.reads).map((key) => this.request('GET', key)),
    ]);
  }

  async request(method, key, body) {
    const url = `${this.urls[this.next++ % this.urls.length]}/v1/kv/${encodeURIComponent(key)}`;
    try {
      const response = await fetch(url, { method, body, signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      // A read may land before the write of its page has been applied on that node: 404 is an answer.
      if (response.ok || (method === 'GET' && response.status === 404))
        this.counts[method === 'PUT' ? 'puts' : 'gets'] += 1;
      else this.counts.failed += 1;
    } catch {
      this.counts.failed += 1;
    }
  }

  describe() {
    if (this.urls.length === 0) return '';
    const { puts, gets, failed } = this.counts;
    return `; KV: ${puts} puts, ${gets} gets${failed > 0 ? `, ${failed} failed` : ''}`;
  }
}
