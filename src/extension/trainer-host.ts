import * as vscode from 'vscode';
import type { RunEvent, RunView } from '../protocol/lab-protocol';
import type { DatasetRef, FromTrainer, GenerateMode, ImageBatch, InspectResult, ModelGraph, Neighbour, RunStatus } from '../protocol/trainer-protocol';
import { TrainerClient, type ReplyFor, type RequestWithoutId, type TrainerExit } from '../trainer/trainer-client';
import { readRun } from '../trainer/runs';
import { reduceRun, runEventOf, withHistory } from '../protocol/run-state';
import { Disposable, type IDisposable } from './dispose';

/**
 * Owns the one trainer child process of this window. The child is forked lazily (with VS Code's
 * own Node through ELECTRON_RUN_AS_NODE) the first time anything needs it, and killed when a run
 * is stopped, when it has been idle for a while, when its lab panel closes mid-run and on
 * deactivate. Every dataset is read in the child: the extension host never loads tfjs.
 */

export interface TrainRequest {
  dataset: DatasetRef;
  config: Record<string, unknown>;
  runsRoot: string;
  name?: string;
  resumeRunDir?: string;
}

export interface RunOutcome {
  runDir: string;
  status: RunStatus;
  error?: string;
  /** The failure was already shown to the user (a crash notification). */
  reported?: boolean;
}

export interface TrainerHostOptions {
  trainerScript: string;
  log: vscode.LogOutputChannel;
  preferredBackend(): string;
}

/** An idle child is killed after this long; the next request forks a new one. */
const IDLE_KILL_MS = 3 * 60_000;
/** A stopped run that has not said `done` by then is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Where the run of this window is. Every change goes through `enter` (and the run's end through
 * `endRun`), so the transitions can be read in one place:
 *   idle ──train()──► starting ──`started`──► running ──stop()──► stopping
 *   starting ──stop()──► stopping; any of them ──`done`, error before `started`, crash, kill──► idle
 */
type RunPhase =
  | { name: 'idle' }
  | { name: 'starting'; run: PendingRun }
  | { name: 'running'; run: PendingRun }
  | { name: 'stopping'; run: PendingRun; started: boolean };

interface PendingRun {
  datasetPath: string;
  resolve(outcome: RunOutcome): void;
  /** A crash notification was shown for it (its outcome says so). */
  crashReported: boolean;
}

/** One trainer child process and what listens to it: disposed together when the child goes. */
class TrainerChild extends Disposable {
  constructor(readonly client: TrainerClient) {
    super();
    this._register({ dispose: () => client.dispose() });
  }

  listen(subscription: IDisposable): void {
    this._register(subscription);
  }
}

export class TrainerHost extends Disposable {
  private phase: RunPhase = { name: 'idle' };
  /** The child, once it said `ready`; the child's lifetime is shorter than the host's. */
  private child: TrainerChild | undefined;
  private childStarting: Promise<TrainerClient> | undefined;
  /** Bumped by every kill, so a child still starting at that moment is not kept. */
  private generation = 0;
  private backendName: string | undefined;
  /** Where the trainer loaded tfjs-node from (backend tensorflow). */
  private tfjsNodeOrigin: string | undefined;
  private liveRun: RunView | undefined;
  private liveDataset: string | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;

  private readonly runEvents = this._register(new vscode.EventEmitter<RunEvent>());
  private readonly trainingChanges = this._register(new vscode.EventEmitter<boolean>());
  /** Every event of the current run, after the host's copy of the run was folded with it. */
  readonly onRunEvent = this.runEvents.event;
  /** Fires true when a run starts, false when it ends. */
  readonly onDidChangeTraining = this.trainingChanges.event;
  private readonly refreshedRuns = this._register(new vscode.EventEmitter<string>());
  /** Fires when the host's copy of the run changed other than by a trainer event: views re-send it whole. */
  readonly onDidRefreshRun = this.refreshedRuns.event;
  private readonly forgottenRuns = this._register(new vscode.EventEmitter<string>());
  /** Fires with the folder of a run that no longer exists (deleted): views showing it let go. */
  readonly onDidForgetRun = this.forgottenRuns.event;

  constructor(private readonly options: TrainerHostOptions) {
    super();
    // Disposed first (newest first): a run still going ends as stopped while its views still listen.
    this._register({ dispose: () => this.killRun() });
  }

  get isTraining(): boolean {
    return this.phase.name !== 'idle';
  }

  /** The current (or last finished) run of this session, as the webviews show it. */
  get run(): RunView | undefined {
    return this.liveRun;
  }

  /** Path of the dataset the current (or last) run trains on. */
  get runDatasetPath(): string | undefined {
    return this.liveDataset;
  }

  get backend(): string | undefined {
    return this.backendName;
  }

  /** Starts a run; resolves when it ends (completed, stopped or failed), never rejects. */
  async train(request: TrainRequest): Promise<RunOutcome> {
    if (this.phase.name !== 'idle') return { runDir: '', status: 'failed', error: vscode.l10n.t('A training run is already in progress.') };
    this.liveRun = undefined;
    this.liveDataset = request.dataset.path;
    const outcome = new Promise<RunOutcome>((resolve) => this.enter({ name: 'starting', run: { datasetPath: request.dataset.path, resolve, crashReported: false } }));
    try {
      const client = await this.ensureClient();
      // Stopped (or cancelled) while the child was starting: never begin.
      if (this.phaseName() === 'stopping') this.endRun({ runDir: '', status: 'stopped' });
      if (this.phaseName() !== 'starting') return await outcome;
      if (request.resumeRunDir) this.options.log.info(`Resuming ${request.resumeRunDir}`);
      else this.options.log.info(`Training ${request.dataset.path} with ${JSON.stringify(request.config)} into ${request.runsRoot}`);
      client.send({
        type: 'start',
        dataset: request.dataset,
        config: request.config,
        runsRoot: request.runsRoot,
        name: request.name,
        resumeRunDir: request.resumeRunDir,
      });
    } catch (error) {
      this.endRun({ runDir: '', status: 'failed', error: messageOf(error) });
    }
    return outcome;
  }

  pause(): void {
    if (this.phase.name === 'running') this.child?.client.send({ type: 'pause' });
  }

  resume(): void {
    if (this.phase.name === 'running') this.child?.client.send({ type: 'resume' });
  }

  /** Asks the run to stop after its current batch; the child is killed once it has said so (or after a grace period). */
  stop(): void {
    const phase = this.phase;
    if (phase.name !== 'starting' && phase.name !== 'running') return;
    this.options.log.info('Stopping the training run');
    this.enter({ name: 'stopping', run: phase.run, started: phase.name === 'running' });
    // Still starting: train() sees `stopping` and never sends `start`.
    if (!this.child) return;
    this.child.client.send({ type: 'stop' });
    this.stopTimer = setTimeout(() => {
      if (this.phase.name !== 'stopping') return;
      this.options.log.warn('The trainer did not stop in time; killing it');
      this.killRun();
    }, STOP_GRACE_MS);
  }

  /** Stops a run and waits (briefly) for its outcome to be written, then kills the child. */
  async shutdown(graceMs = 3000): Promise<void> {
    if (this.isTraining && this.child) {
      const ended = new Promise<void>((resolve) => {
        const subscription = this.onDidChangeTraining((training) => {
          if (!training) {
            subscription.dispose();
            resolve();
          }
        });
      });
      this.stop();
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, graceMs))]);
    }
    this.killRun();
  }

  async inspect(dataset: DatasetRef, page: number, pageSize = 64): Promise<InspectResult> {
    return (await this.request({ type: 'inspect', dataset, page, pageSize })).result;
  }

  async describe(dataset: DatasetRef, config: Record<string, unknown>): Promise<ModelGraph> {
    return (await this.request({ type: 'describe', dataset, config })).graph;
  }

  async generate(
    runDir: string,
    mode: GenerateMode,
    options: { a?: number; b?: number; textA?: string; textB?: string; steps?: number },
  ): Promise<{ images?: ImageBatch; texts?: string[]; neighbours?: Neighbour[] }> {
    const reply = await this.request({ type: 'generate', runDir, mode, ...options });
    return { images: reply.images, texts: reply.texts, neighbours: reply.neighbours };
  }

  /** A run folder was deleted: views stop showing it, and it is no longer the session's last run. */
  forgetRun(runDir: string): void {
    if (this.liveRun?.runDir === runDir && !this.isTraining) {
      this.liveRun = undefined;
      this.liveDataset = undefined;
    }
    this.forgottenRuns.fire(runDir);
  }

  /** The backend setting changed: a child that is not training is replaced on next use. */
  backendSettingChanged(): void {
    if (!this.isTraining) this.killChild();
  }

  // ---------- the run's lifecycle ----------

  /** The phase now (a method, so that the compiler does not narrow it across awaits). */
  private phaseName(): RunPhase['name'] {
    return this.phase.name;
  }

  private enter(phase: RunPhase): void {
    const wasTraining = this.isTraining;
    this.phase = phase;
    clearTimeout(this.stopTimer);
    if (phase.name !== 'idle') this.clearIdleTimer();
    if (!wasTraining && this.isTraining) this.trainingChanges.fire(true);
  }

  /** The run ended (or never began): its outcome is resolved, views hear it, the child is kept briefly or killed. */
  private endRun(outcome: RunOutcome): void {
    const phase = this.phase;
    if (phase.name === 'idle') return;
    const wasStopped = phase.name === 'stopping';
    this.enter({ name: 'idle' });
    if (outcome.error && phase.name === 'starting') this.options.log.error(`Training did not start: ${outcome.error}`);
    phase.run.resolve({ ...outcome, reported: phase.run.crashReported });
    this.trainingChanges.fire(false);
    // A stopped run leaves no process behind; a finished one keeps it briefly for generate/inspect.
    if (wasStopped) this.killChild();
    else this.scheduleIdleKill();
  }

  /** Ends a run the child can no longer finish (killed, not stopping in time): views see it stopped. */
  private killRun(): void {
    const phase = this.phase;
    this.killChild();
    if (phase.name === 'idle') return;
    const started = phase.name === 'running' || (phase.name === 'stopping' && phase.started);
    const runDir = started ? (this.liveRun?.runDir ?? '') : '';
    if (started) this.fold({ type: 'done', runDir, status: 'stopped' });
    this.endRun({ runDir, status: 'stopped' });
  }

  private handleMessage(message: FromTrainer): void {
    const event = runEventOf(message, this.backendName, this.tfjsNodeOrigin);
    // Run events outside a run (a late message of a child being replaced) change nothing.
    if (!event || this.phase.name === 'idle') return;
    const startedBefore = this.phase.name === 'running' || (this.phase.name === 'stopping' && this.phase.started);
    if (message.type === 'started') {
      if (this.phase.name === 'starting') this.enter({ name: 'running', run: this.phase.run });
      else if (this.phase.name === 'stopping') this.phase = { ...this.phase, started: true };
      this.options.log.info(`Run started: ${message.runDir} (${message.graph.preset}, ${message.graph.totalParams} parameters)`);
      if (message.resumedFromEpoch > 0) void this.loadHistory(message.runDir, message.resumedFromEpoch);
    } else if (message.type === 'epochEnd') {
      const { epoch, loss, val_loss, samples_per_second } = message.metrics;
      this.options.log.info(`Epoch ${epoch}: loss ${loss.toPrecision(5)}, val_loss ${val_loss?.toPrecision(5) ?? '-'}, ${Math.round(samples_per_second)} samples/s`);
    }
    this.fold(event);
    if (message.type === 'error') {
      this.options.log.error(`Training error: ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
      // An error before `started` means the run never began (bad config, unreadable data).
      if (!startedBefore) this.endRun({ runDir: '', status: 'failed', error: message.message });
    } else if (message.type === 'done') {
      this.options.log.info(`Run ${message.status}: ${message.runDir}, final loss ${message.finalLoss ?? '-'}`);
      this.endRun({ runDir: message.runDir, status: message.status, error: this.liveRun?.error });
    }
  }

  /** The host's copy of the run takes the event, then the views hear it. */
  private fold(event: RunEvent): void {
    this.liveRun = reduceRun(this.liveRun, event);
    this.runEvents.fire(event);
  }

  /** A resumed run continues a curve: its earlier epochs come from its folder, then views are refreshed. */
  private async loadHistory(runDir: string, resumedFromEpoch: number): Promise<void> {
    try {
      const saved = await readRun(runDir);
      if (this.liveRun?.runDir !== runDir) return;
      this.liveRun = withHistory(this.liveRun, saved, resumedFromEpoch);
      this.refreshedRuns.fire(runDir);
    } catch (error) {
      this.options.log.warn(`Cannot read the history of ${runDir}: ${messageOf(error)}`);
    }
  }

  // ---------- the child process ----------

  private async request<T extends RequestWithoutId['type']>(message: Extract<RequestWithoutId, { type: T }>): Promise<ReplyFor<T>> {
    this.clearIdleTimer();
    try {
      const client = await this.ensureClient();
      return await client.request(message);
    } finally {
      this.scheduleIdleKill();
    }
  }

  private ensureClient(): Promise<TrainerClient> {
    if (this.isDisposed) return Promise.reject(new Error('The extension is shutting down.'));
    if (this.child) return Promise.resolve(this.child.client);
    this.childStarting ??= this.startChild().finally(() => {
      this.childStarting = undefined;
    });
    return this.childStarting;
  }

  private async startChild(): Promise<TrainerClient> {
    const preferredBackend = this.options.preferredBackend();
    const client = new TrainerClient({
      trainerScript: this.options.trainerScript,
      // VS Code's own Node; ELECTRON_RUN_AS_NODE makes the Electron binary behave as plain Node.
      execPath: process.execPath,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      preferredBackend: preferredBackend === 'auto' ? undefined : preferredBackend,
      onOutput: (stream, text) => {
        for (const line of text.trimEnd().split('\n')) {
          if (stream === 'stderr') this.options.log.warn(`[trainer] ${line}`);
          else this.options.log.info(`[trainer] ${line}`);
        }
      },
    });
    const generation = this.generation;
    const child = new TrainerChild(client);
    child.listen(client.onEvent((message) => this.handleMessage(message)));
    child.listen(client.onExit((exit) => this.handleExit(child, exit)));
    try {
      const ready = await client.start();
      this.backendName = ready.backend;
      this.tfjsNodeOrigin = ready.tfjsNode;
      this.options.log.info(`Trainer started (pid ${ready.pid}, backend ${ready.backend}, ${formatVersions(ready.versions)})`);
    } catch (error) {
      this.options.log.error(`The trainer did not start: ${messageOf(error)}`);
      child.dispose();
      throw error instanceof Error ? error : new Error(String(error));
    }
    // Killed (stopped, shut down, disposed) while it was starting: it must not live on.
    if (this.isDisposed || generation !== this.generation) {
      child.dispose();
      throw new Error(vscode.l10n.t('The trainer was stopped while it started.'));
    }
    this.child = child;
    return client;
  }

  private handleExit(child: TrainerChild, exit: TrainerExit): void {
    // A child that failed to start is handled by startChild; one already replaced is history.
    if (child !== this.child) return;
    this.child = undefined;
    child.dispose();
    if (exit.expected) return;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    const message = vscode.l10n.t('The trainer process ended unexpectedly ({0}).', how);
    this.options.log.error(`${message}\n${exit.stderrTail}`);
    const phase = this.phase;
    if (phase.name !== 'idle') {
      phase.run.crashReported = true;
      const error = `${message}\n${exit.stderrTail}`.trim();
      const started = phase.name === 'running' || (phase.name === 'stopping' && phase.started);
      if (started && this.liveRun) {
        // Tell the webviews as the trainer would have, so every view shows the failure.
        const runDir = this.liveRun.runDir;
        this.handleMessage({ type: 'error', message: error });
        this.handleMessage({ type: 'done', runDir, status: 'failed', finalLoss: this.liveRun?.epochs.at(-1)?.loss ?? null });
      } else {
        this.endRun({ runDir: '', status: 'failed', error });
      }
    }
    void showCrash(message, exit.stderrTail, this.options.log);
  }

  private killChild(): void {
    this.generation++;
    this.clearIdleTimer();
    const child = this.child;
    this.child = undefined;
    if (child) {
      this.options.log.info('Trainer process stopped');
      child.dispose();
    }
  }

  private scheduleIdleKill(): void {
    this.clearIdleTimer();
    if (this.isTraining || !this.child) return;
    this.idleTimer = setTimeout(() => {
      if (!this.isTraining) {
        this.options.log.info('Trainer idle; stopping it');
        this.killChild();
      }
    }, IDLE_KILL_MS);
  }

  private clearIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

async function showCrash(message: string, stderrTail: string, log: vscode.LogOutputChannel): Promise<void> {
  const tail = stderrTail.trim().split('\n').slice(-3).join(' ⏎ ');
  const showLog = vscode.l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(tail ? `${message} ${tail}` : message, showLog);
  if (choice === showLog) log.show();
}

function formatVersions(versions: Record<string, string>): string {
  return Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
