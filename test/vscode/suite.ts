// The vscode integration suite. Runs inside a real extension host: desktop VS Code through
// @vscode/test-electron (`run()` is its convention), or code-server through the runner extension in
// test/vscode/runner-extension/ (which calls `runChecks()` to get one result per check).
// Bundled by scripts/build.mjs to out/test/vscode-suite.js.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LabController } from '../../src/extension/lab-controller';
import { TrainerHost } from '../../src/extension/trainer-host';
import type { DatasetRef, ModelGraph } from '../../src/protocol/trainer-protocol';

export const EXTENSION_ID = 'autoencoder-lab.autoencoder-lab';
export const SAMPLE_DATASET = 'fashion-mnist/train-images-idx3-ubyte.gz';
/** A small table: quick to train. */
const TABLE_DATASET = 'tabular/iris-like.csv';
const TRAIN_TIMEOUT_MS = 5 * 60_000;

export interface CheckResult {
  name: string;
  passed: boolean;
  error?: string;
  ms: number;
}

interface TrainResult {
  runDir: string;
  status: 'completed' | 'stopped' | 'failed';
}

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open (the sample workspace)');
  return folder.uri.fsPath;
}

function withTimeout<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** The Train command as tests and automation call it. */
function train(dataset: string): Thenable<TrainResult | undefined> {
  return vscode.commands.executeCommand<TrainResult | undefined>('autoencoderLab.train', { dataset, config: { epochs: 1 } });
}

/** workspaceState for a controller made by the suite (the extension's own one is not reachable). */
class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

function labTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('autoencoderLab.lab'));
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Runs every check in order (later checks use what earlier ones produced) and reports each one. */
export async function runChecks(log: (line: string) => void = console.log): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let training: TrainResult | undefined;

  const check = async (name: string, body: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    try {
      await body();
      results.push({ name, passed: true, ms: Date.now() - started });
      log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name, passed: false, error: message, ms: Date.now() - started });
      log(`  ✘ ${name}\n${message}`);
    }
  };

  log('Autoencoder Lab vscode suite');

  await check('the extension activates on the sample workspace', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
    // Activated through its own activation events (a contributed command), not by calling activate().
    await withTimeout(vscode.commands.executeCommand('autoencoderLab.refresh'), 60_000, 'autoencoderLab.refresh (activation)');
    assert.equal(extension.isActive, true, 'running one of its commands activated the extension');
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['autoencoderLab.train', 'autoencoderLab.openLab', 'autoencoderLab.inspectDataset', 'autoencoderLab.stopTraining']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
    assert.ok(existsSync(join(workspaceFolder(), SAMPLE_DATASET)), `the sample ${SAMPLE_DATASET} is in the workspace`);
  });

  await check('Train Autoencoder runs one epoch and completes', async () => {
    const dataset = join(workspaceFolder(), SAMPLE_DATASET);
    const result = await withTimeout(
      vscode.commands.executeCommand<TrainResult>('autoencoderLab.train', { dataset, config: { epochs: 1 } }),
      TRAIN_TIMEOUT_MS,
      'autoencoderLab.train',
    );
    assert.ok(result && typeof result === 'object', 'autoencoderLab.train resolves to { runDir, status }');
    assert.equal(typeof result.runDir, 'string');
    training = result;
    assert.equal(result.status, 'completed', `run ${result.runDir} ended ${result.status}`);
  });

  await check('the run folder is complete', async () => {
    assert.ok(training, 'training produced a run folder');
    const { runDir } = training;
    for (const file of ['config.json', 'metrics.jsonl', 'model/autoencoder/model.json', 'status.json']) {
      assert.ok(existsSync(join(runDir, file)), `${file} exists in ${runDir}`);
    }
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((line) => line.trim() !== '');
    assert.equal(metrics.length, 1, 'metrics.jsonl has one line per epoch');
    const epoch = JSON.parse(metrics[0]) as { loss?: unknown };
    assert.ok(typeof epoch.loss === 'number' && Number.isFinite(epoch.loss), `epoch line has a finite loss: ${metrics[0]}`);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { status?: string };
    assert.equal(status.status, 'completed');
    const model = JSON.parse(readFileSync(join(runDir, 'model/autoencoder/model.json'), 'utf8')) as { modelTopology?: unknown };
    assert.ok(model.modelTopology, 'model.json holds a layers-model topology');
  });

  await check('the lab panel is open as a webview tab', async () => {
    const found = await waitFor(() => labTabs().length > 0, 10_000);
    const seen = vscode.window.tabGroups.all.flatMap((group) => group.tabs).map((tab) => tab.label).join(', ');
    assert.ok(found, `a tab with viewType autoencoderLab.lab is open (tabs: ${seen || 'none'})`);
  });

  await check('Open Lab on a dataset opens the lab on it (what npm start asks for)', async () => {
    const dataset = vscode.Uri.file(join(workspaceFolder(), 'words', 'words.txt'));
    await vscode.commands.executeCommand('autoencoderLab.openLab', dataset);
    const titled = () => labTabs().some((tab) => tab.label.includes('words.txt'));
    assert.ok(await waitFor(titled, 10_000), `the lab tab is titled with the dataset (tabs: ${labTabs().map((tab) => tab.label).join(', ')})`);
  });

  await check('a dataset that failed to load can be trained once the file is fixed', async () => {
    const dataset = join(workspaceFolder(), 'fixable.csv');
    writeFileSync(dataset, 'a,b,c\n1,x,3\n');
    const broken = await withTimeout(train(dataset), TRAIN_TIMEOUT_MS, 'autoencoderLab.train on a broken file');
    assert.equal(broken?.status, 'failed', 'a broken file fails to train');
    writeFileSync(dataset, readFileSync(join(workspaceFolder(), TABLE_DATASET)));
    const fixed = await withTimeout(train(dataset), TRAIN_TIMEOUT_MS, 'autoencoderLab.train on the fixed file');
    assert.equal(fixed?.status, 'completed', `the fixed file trains (ended ${fixed?.status})`);
  });

  await check('two quick Train requests start one run; the second one is refused, not thrown', async () => {
    const dataset = join(workspaceFolder(), TABLE_DATASET);
    const [first, second] = await withTimeout(
      Promise.allSettled([train(dataset), train(dataset)]),
      TRAIN_TIMEOUT_MS,
      'two autoencoderLab.train requests',
    );
    assert.equal(first.status, 'fulfilled', `the first request resolves (${first.status === 'rejected' ? String(first.reason) : ''})`);
    assert.equal(first.status === 'fulfilled' && first.value?.status, 'completed');
    assert.equal(second.status, 'fulfilled', `the second request resolves (${second.status === 'rejected' ? String(second.reason) : ''})`);
    assert.equal(second.status === 'fulfilled' && second.value, undefined, 'the second request started no run');
  });

  await check('Stop ends a run as stopped, also one still being prepared; the next run starts afresh', async () => {
    const dataset = join(workspaceFolder(), SAMPLE_DATASET);
    const long = () => vscode.commands.executeCommand<TrainResult | undefined>('autoencoderLab.train', { dataset, config: { epochs: 500 } });
    // Stopped at once, while the lab still reads the dataset: no run starts.
    const early = long();
    await vscode.commands.executeCommand('autoencoderLab.stopTraining');
    assert.equal((await withTimeout(early, 60_000, 'a run stopped while it was being prepared'))?.status, 'stopped');
    // Stopped once its first epoch is on disk.
    const runsRoot = join(workspaceFolder(), '.autoencoder-lab', 'runs');
    const before = new Set(existsSync(runsRoot) ? readdirSync(runsRoot) : []);
    const running = long();
    const trained = () => readdirSync(runsRoot).some((name) => !before.has(name) && readFileSync(join(runsRoot, name, 'metrics.jsonl'), { encoding: 'utf8', flag: 'a+' }).trim() !== '');
    assert.ok(await waitFor(trained, 60_000), 'the long run finishes an epoch');
    await vscode.commands.executeCommand('autoencoderLab.stopTraining');
    const stopped = await withTimeout(running, TRAIN_TIMEOUT_MS, 'a running run stopped');
    assert.equal(stopped?.status, 'stopped');
    const status = JSON.parse(readFileSync(join(stopped!.runDir, 'status.json'), 'utf8')) as { status?: string };
    assert.equal(status.status, 'stopped', 'its folder says stopped');
    // The next run starts a fresh child and completes.
    assert.equal((await withTimeout(train(join(workspaceFolder(), TABLE_DATASET)), TRAIN_TIMEOUT_MS, 'a run after a stop'))?.status, 'completed');
  });

  await check('the lab shows the graph of the latest model cell run, whatever order the replies come in', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const log = vscode.window.createOutputChannel('Autoencoder Lab suite', { log: true });
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    /** The real trainer, whose reply to a `deep` describe is held until the test lets it go. */
    class HeldDeepDescribe extends TrainerHost {
      override async describe(dataset: DatasetRef, config: Record<string, unknown>): Promise<ModelGraph> {
        const graph = await super.describe(dataset, config);
        if (config.preset === 'deep') await firstHeld;
        return graph;
      }
    }
    const trainer = new HeldDeepDescribe({ trainerScript: join(extension.extensionPath, 'dist', 'trainer.js'), log, preferredBackend: () => 'wasm' });
    const lab = new LabController({ extensionUri: extension.extensionUri, globalStorageUri: vscode.Uri.file(workspaceFolder()), trainer, log, workspaceState: new MemoryMemento() });
    try {
      const shown = () => lab.state.graph;
      lab.retarget({ datasetPath: join(workspaceFolder(), TABLE_DATASET) });
      assert.ok(await waitFor(() => shown() !== undefined, 60_000), 'the lab describes the default model of its dataset');
      const older = lab.describe({ preset: 'deep', codeSize: 2 });
      const newer = await lab.describe({ preset: 'dense', codeSize: 3 });
      releaseFirst();
      const olderGraph = await older;
      assert.equal(olderGraph.preset, 'deep');
      assert.equal(shown()?.preset, 'dense', 'the older reply, arriving last, does not replace the newer graph');
      assert.deepEqual(shown()?.codeShape, newer.codeShape);
    } finally {
      releaseFirst();
      lab.dispose();
      trainer.dispose();
      log.dispose();
    }
  });

  const failed = results.filter((result) => !result.passed).length;
  log(`${results.length - failed} passed, ${failed} failed`);
  return results;
}

/** @vscode/test-electron entry: resolves when every check passed, rejects otherwise. */
export async function run(): Promise<void> {
  const results = await runChecks();
  const failed = results.filter((result) => !result.passed);
  if (failed.length > 0) {
    throw new Error(`${failed.length} of ${results.length} checks failed: ${failed.map((result) => result.name).join('; ')}`);
  }
}
