import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromTrainer } from '../../../src/protocol/trainer-protocol';
import { TrainerClient, type TrainerReady } from '../../../src/trainer/trainer-client';

export const repoRoot = join(__dirname, '..', '..', '..');
export const trainerScript = join(repoRoot, 'dist', 'trainer.js');
export const cliScript = join(repoRoot, 'dist', 'cli.js');
/** The Fashion-MNIST slice shipped in samples/ (2,000 training images with labels). */
export const fashionImages = join(repoRoot, 'samples', 'fashion-mnist', 'train-images-idx3-ubyte.gz');
export const wordsFile = join(repoRoot, 'samples', 'words', 'words.txt');

/** A small, fast dense model: every test run trains in well under a second per epoch. */
export const smallDense = { preset: 'dense', hiddenLayers: [32], codeSize: 8, batchSize: 32 } as const;

/** The tests drive the real bundles; `npm test` builds first, a lone test run builds if needed. */
export function ensureBuilt(): void {
  if (existsSync(trainerScript) && existsSync(cliScript)) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(trainerScript)) {
    throw new Error(`building dist/trainer.js failed (run npm run build):\n${result.stderr}`);
  }
}

export function temporaryFolder(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `ael-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Records every event of a client and waits for the first one matching a predicate. */
export class EventLog {
  readonly events: FromTrainer[] = [];
  private waiters: { predicate: (m: FromTrainer) => boolean; resolve: (m: FromTrainer) => void }[] = [];

  constructor(client: TrainerClient) {
    client.onEvent((message) => {
      this.events.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
  }

  of<T extends FromTrainer['type']>(type: T): Extract<FromTrainer, { type: T }>[] {
    return this.events.filter((m): m is Extract<FromTrainer, { type: T }> => m.type === type);
  }

  /** The first event (already seen or future) that matches; rejects after timeoutMs. */
  waitFor<T extends FromTrainer['type']>(
    type: T,
    predicate: (m: Extract<FromTrainer, { type: T }>) => boolean = () => true,
    timeoutMs = 30_000,
    includeSeen = true,
  ): Promise<Extract<FromTrainer, { type: T }>> {
    const matches = (m: FromTrainer): m is Extract<FromTrainer, { type: T }> => m.type === type && predicate(m as Extract<FromTrainer, { type: T }>);
    if (includeSeen) {
      const seen = this.events.find(matches);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; saw: ${this.summary()}`)), timeoutMs);
      this.waiters.push({
        predicate: matches,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromTrainer, { type: T }>);
        },
      });
    });
  }

  summary(): string {
    return this.events.map((m) => (m.type === 'error' ? `error(${m.message})` : m.type)).join(', ');
  }
}

export async function startedClient(options: Partial<ConstructorParameters<typeof TrainerClient>[0]> = {}): Promise<{ client: TrainerClient; log: EventLog; ready: TrainerReady }> {
  const client = new TrainerClient({ trainerScript, preferredBackend: 'wasm', ...options });
  const log = new EventLog(client);
  const ready = await client.start();
  return { client, log, ready };
}
