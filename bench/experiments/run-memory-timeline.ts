/**
 * Where a real run's peak memory happens: the bundled trainer (dist/trainer.js through TrainerClient)
 * trains one epoch while its RSS is sampled every 100 ms; prints the RSS timeline with the trainer's
 * messages (phases) beside it, and the peak's phase.
 *
 *   node --import tsx bench/experiments/run-memory-timeline.ts <idx3.gz> '{"preset":"conv","threads":1}' [limit]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainerClient } from '../../src/trainer/trainer-client';
import { procMemory } from '../trainer-figures';

async function main(): Promise<void> {
  const [images, configText = '{"preset":"conv"}', limit] = process.argv.slice(2);
  const runsRoot = mkdtempSync(join(tmpdir(), 'ae-memory-timeline-'));
  const client = new TrainerClient({ trainerScript: join(__dirname, '..', '..', 'dist', 'trainer.js'), preferredBackend: process.env.BACKEND ?? 'wasm' });
  const ready = await client.start();
  const t0 = performance.now();
  let phase = 'start';
  let peak = { rss: 0, phase, t: 0 };
  const marks: string[] = [];
  let lastPrinted = 0;
  const sampler = setInterval(() => {
    const memory = procMemory(ready.pid);
    if (!memory) return;
    const t = (performance.now() - t0) / 1000;
    if (memory.rssMb > peak.rss) peak = { rss: memory.rssMb, phase, t };
    if (Math.abs(memory.rssMb - lastPrinted) >= 8) {
      marks.push(`${t.toFixed(1)} s  ${memory.rssMb.toFixed(0)} MB  (${phase})`);
      lastPrinted = memory.rssMb;
    }
  }, 100);
  const done = new Promise<void>((resolve) => {
    client.onEvent((message) => {
      if (message.type === 'batchLoss' || message.type === 'progress') {
        if (phase !== 'training') phase = 'training';
        return;
      }
      phase = `after ${message.type}`;
      const memory = procMemory(ready.pid);
      marks.push(`${((performance.now() - t0) / 1000).toFixed(1)} s  ${memory?.rssMb.toFixed(0)} MB  message ${message.type}`);
      if (message.type === 'done' || message.type === 'error') resolve();
    });
  });
  client.send({ type: 'start', dataset: { path: images, ...(limit ? { limit: Number(limit) } : {}) }, config: { epochs: 1, ...JSON.parse(configText) }, runsRoot });
  await done;
  clearInterval(sampler);
  const end = procMemory(ready.pid);
  console.log(marks.join('\n'));
  console.log(`peak RSS ${peak.rss.toFixed(0)} MB at ${peak.t.toFixed(1)} s (${peak.phase}); VmHWM ${end?.hwmMb.toFixed(0)} MB`);
  client.dispose();
  rmSync(runsRoot, { recursive: true, force: true });
}

void main();
