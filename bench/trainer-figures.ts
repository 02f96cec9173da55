/**
 * Figures of the real trainer child process (dist/trainer.js through TrainerClient, as the
 * extension host and the CLI run it): time from Train to the first loss point, and peak memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromTrainer } from '../src/protocol/trainer-protocol';
import { TrainerClient } from '../src/trainer/trainer-client';

export interface FirstLossResult {
  dataset: string;
  model: string;
  backend: string;
  /** Milliseconds from creating the client (fork) to each event. */
  readyMs: number;
  startedMs: number;
  firstLossMs: number;
}

export interface PeakMemoryResult {
  dataset: string;
  model: string;
  backend: string;
  samples: number;
  epochs: number;
  /** Training threads (config threads: 2 is data-parallel, its worker inside the same process). */
  threads: number;
  /** VmHWM of the trainer process at the end of the run (its peak resident set). */
  peakRssMb: number;
  /** VmRSS after the run finished. */
  endRssMb: number;
  status: string;
  finalLoss: number | null;
  seconds: number;
}

/** /proc/<pid>/status fields in MB (Linux), undefined elsewhere or once the process is gone. */
export function procMemory(pid: number): { hwmMb: number; rssMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

function waitFor(client: TrainerClient, predicate: (message: FromTrainer) => boolean, timeoutMs: number): Promise<FromTrainer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.dispose();
      exits.dispose();
      reject(new Error(`no matching trainer message within ${timeoutMs} ms`));
    }, timeoutMs);
    const events = client.onEvent((message) => {
      if (message.type === 'error') {
        clearTimeout(timer);
        events.dispose();
        exits.dispose();
        reject(new Error(`trainer error: ${message.message}`));
      } else if (predicate(message)) {
        clearTimeout(timer);
        events.dispose();
        exits.dispose();
        resolve(message);
      }
    });
    const exits = client.onExit((exit) => {
      clearTimeout(timer);
      events.dispose();
      reject(new Error(`trainer exited (code ${exit.code}, signal ${exit.signal}): ${exit.stderrTail}`));
    });
  });
}

/** Train pressed on a cold trainer: fork, backend ready, data opened and model built, first smoothed loss point. */
export async function measureFirstLoss(trainerScript: string, dataset: string, model: string, backend = 'auto'): Promise<FirstLossResult> {
  const runsRoot = mkdtempSync(join(tmpdir(), 'ae-bench-first-'));
  const t0 = performance.now();
  const client = new TrainerClient({ trainerScript, preferredBackend: backend });
  try {
    const ready = await client.start();
    const readyMs = performance.now() - t0;
    const started = waitFor(client, (m) => m.type === 'started', 60_000).then(() => performance.now() - t0);
    const firstLoss = waitFor(client, (m) => m.type === 'batchLoss', 60_000).then(() => performance.now() - t0);
    client.send({ type: 'start', dataset: { path: dataset }, config: { preset: model, epochs: 1 }, runsRoot });
    const [startedMs, firstLossMs] = await Promise.all([started, firstLoss]);
    client.send({ type: 'stop' });
    await client.waitForExit();
    return { dataset, model, backend: ready.backend, readyMs, startedMs, firstLossMs };
  } finally {
    client.dispose();
    rmSync(runsRoot, { recursive: true, force: true });
  }
}

/** A whole real run (default validation split, checkpoints, model saved) while sampling the child's memory. */
export async function measurePeakMemory(
  trainerScript: string,
  dataset: string,
  model: string,
  options: { backend?: string; limit?: number; epochs?: number; threads?: number } = {},
): Promise<PeakMemoryResult> {
  const runsRoot = mkdtempSync(join(tmpdir(), 'ae-bench-memory-'));
  const client = new TrainerClient({ trainerScript, preferredBackend: options.backend ?? 'auto' });
  const epochs = options.epochs ?? 1;
  try {
    const ready = await client.start();
    let samples = 0;
    let peak = 0;
    // VmHWM is the kernel's own high-water mark; sampling it is only a fallback if the process vanishes.
    const sampler = setInterval(() => {
      const memory = procMemory(ready.pid);
      if (memory) peak = Math.max(peak, memory.hwmMb);
    }, 250);
    const t0 = performance.now();
    const startedEvent = waitFor(client, (m) => m.type === 'started', 120_000).then((m) => {
      if (m.type === 'started') samples = m.dataset.count;
    });
    const done = waitFor(client, (m) => m.type === 'done', 30 * 60_000);
    client.send({
      type: 'start',
      dataset: { path: dataset, ...(options.limit ? { limit: options.limit } : {}) },
      // Explicit threads: the config's default (auto) would put conv on two threads on wasm.
      config: { preset: model, epochs, threads: options.threads ?? 1 },
      runsRoot,
    });
    await startedEvent;
    const finished = await done;
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const end = procMemory(ready.pid);
    if (end) peak = Math.max(peak, end.hwmMb);
    return {
      dataset,
      model,
      backend: ready.backend,
      samples,
      epochs,
      threads: options.threads ?? 1,
      peakRssMb: peak,
      endRssMb: end?.rssMb ?? NaN,
      status: finished.type === 'done' ? finished.status : 'unknown',
      finalLoss: finished.type === 'done' ? finished.finalLoss : null,
      seconds,
    };
  } finally {
    client.dispose();
    rmSync(runsRoot, { recursive: true, force: true });
  }
}
