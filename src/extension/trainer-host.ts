import * as vscode from 'vscode';
import type { RunEvent, RunView } from '../protocol/lab-protocol';
import type { DatasetRef, FromTrainer, ImageBatch, InspectResult, ModelGraph, RunStatus } from '../protocol/trainer-protocol';
import { TrainerClient, type TrainerExit } from '../trainer/trainer-client';
import { readRun } from '../trainer/runs';
import { reduceRun, runEventOf, withHistory } from '../protocol/run-state';

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

export class TrainerHost implements vscode.Disposable {
  private client: TrainerClient | undefined;
  private starting: Promise<TrainerClient> | undefined;
  private clientSubscriptions: { dispose(): void }[] = [];
  private backendName: string | undefined;
  private liveRun: RunView | undefined;
  private liveDataset: string | undefined;
  private pendingRun: { resolve(outcome: RunOutcome): void; datasetPath: string } | undefined;
  private runStarted = false;
  private stopRequested = false;
  private crashReported = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Bumped by every kill, so a child still starting at that moment is not kept. */
  private generation = 0;

  private readonly runEvents = new vscode.EventEmitter<RunEvent>();
  private readonly trainingChanges = new vscode.EventEmitter<boolean>();
  /** Every event of the current run, after the host's copy of the run was folded with it. */
  readonly onRunEvent = this.runEvents.event;
  /** Fires true when a run starts, false when it ends. */
  readonly onDidChangeTraining = this.trainingChanges.event;
  private readonly refreshedRuns = new vscode.EventEmitter<string>();
  /** Fires when the host's copy of the run changed other than by a trainer event: views re-send it whole. */
  readonly onDidRefreshRun = this.refreshedRuns.event;
  private readonly forgottenRuns = new vscode.EventEmitter<string>();
  /** Fires with the folder of a run that no longer exists (deleted): views showing it let go. */
  readonly onDidForgetRun = this.forgottenRuns.event;

  constructor(private readonly options: TrainerHostOptions) {}

  get isTraining(): boolean {
    return this.pendingRun !== undefined;
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
    if (this.pendingRun) throw new Error(vscode.l10n.t('A training run is already in progress.'));
    this.stopRequested = false;
    this.crashReported = false;
    this.liveRun = undefined;
    this.runStarted = false;
    this.liveDataset = request.dataset.path;
    const outcome = new Promise<RunOutcome>((resolve) => {
      this.pendingRun = { resolve, datasetPath: request.dataset.path };
    });
    this.clearIdleTimer();
    this.trainingChanges.fire(true);
    try {
      const client = await this.ensureClient();
      if (this.stopRequested) {
        // Stopped (or cancelled) while the child was starting: never begin.
        this.finishRun({ runDir: '', status: 'stopped' });
        return await outcome;
      }
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
      this.finishRun({ runDir: '', status: 'failed', error: messageOf(error) });
    }
    return outcome;
  }

  pause(): void {
    if (this.pendingRun && this.client) this.client.send({ type: 'pause' });
  }

  resume(): void {
    if (this.pendingRun && this.client) this.client.send({ type: 'resume' });
  }

  /** Asks the run to stop after its current batch; the child is killed once it has said so. */
  stop(): void {
    if (!this.pendingRun) return;
    this.options.log.info('Stopping the training run');
    this.stopRequested = true;
    if (!this.client) return; // still starting: train() sees stopRequested and never sends `start`
    this.client.send({ type: 'stop' });
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      if (!this.pendingRun) return;
      this.options.log.warn('The trainer did not stop in time; killing it');
      this.killClient();
    }, STOP_GRACE_MS);
  }

  /** Stops a run and waits (briefly) for its outcome to be written, then kills the child. */
  async shutdown(graceMs = 3000): Promise<void> {
    if (this.pendingRun && this.client) {
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
    this.killClient();
  }

  async inspect(dataset: DatasetRef, page: number, pageSize = 64): Promise<InspectResult> {
    const reply = await this.request({ type: 'inspect', dataset, page, pageSize });
    if (reply.type !== 'inspected') throw new Error(`Unexpected reply ${reply.type} to inspect`);
    return reply.result;
  }

  async describe(dataset: DatasetRef, config: Record<string, unknown>): Promise<ModelGraph> {
    const reply = await this.request({ type: 'describe', dataset, config });
    if (reply.type !== 'described') throw new Error(`Unexpected reply ${reply.type} to describe`);
    return reply.graph;
  }

  async generate(
    runDir: string,
    mode: 'interpolate' | 'prior' | 'grid',
    options: { a?: number; b?: number; steps?: number },
  ): Promise<{ images?: ImageBatch; texts?: string[] }> {
    const reply = await this.request({ type: 'generate', runDir, mode, ...options });
    if (reply.type !== 'generated') throw new Error(`Unexpected reply ${reply.type} to generate`);
    return { images: reply.images, texts: reply.texts };
  }

  /** A run folder was deleted: views stop showing it, and it is no longer the session's last run. */
  forgetRun(runDir: string): void {
    if (this.liveRun?.runDir === runDir && !this.pendingRun) {
      this.liveRun = undefined;
      this.liveDataset = undefined;
    }
    this.forgottenRuns.fire(runDir);
  }

  /** The backend setting changed: a child that is not training is replaced on next use. */
  backendSettingChanged(): void {
    if (!this.pendingRun) this.killClient();
  }

  dispose(): void {
    this.disposed = true;
    this.killClient();
    this.runEvents.dispose();
    this.trainingChanges.dispose();
    this.forgottenRuns.dispose();
    this.refreshedRuns.dispose();
  }

  private async request(message: Parameters<TrainerClient['request']>[0]): Promise<FromTrainer> {
    this.clearIdleTimer();
    try {
      const client = await this.ensureClient();
      return await client.request(message);
    } finally {
      this.scheduleIdleKill();
    }
  }

  private ensureClient(): Promise<TrainerClient> {
    if (this.disposed) return Promise.reject(new Error('The extension is shutting down.'));
    if (this.client) return Promise.resolve(this.client);
    if (!this.starting) {
      this.starting = this.startClient().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async startClient(): Promise<TrainerClient> {
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
    const subscriptions = [client.onEvent((event) => this.handleEvent(event)), client.onExit((exit) => this.handleExit(client, exit))];
    const abandon = (error: Error) => {
      for (const subscription of subscriptions) subscription.dispose();
      client.dispose();
      return error;
    };
    try {
      const ready = await client.start();
      this.backendName = ready.backend;
      this.options.log.info(`Trainer started (pid ${ready.pid}, backend ${ready.backend}, ${formatVersions(ready.versions)})`);
    } catch (error) {
      this.options.log.error(`The trainer did not start: ${messageOf(error)}`);
      throw abandon(error instanceof Error ? error : new Error(String(error)));
    }
    // Killed (stopped, shut down, disposed) while it was starting: it must not live on.
    if (this.disposed || generation !== this.generation) throw abandon(new Error(vscode.l10n.t('The trainer was stopped while it started.')));
    this.clientSubscriptions = subscriptions;
    this.client = client;
    return client;
  }

  private handleEvent(message: FromTrainer): void {
    const event = runEventOf(message, this.backendName);
    // Run events outside a run (a late message of a child being replaced) change nothing.
    if (!event || !this.pendingRun) return;
    const startedBefore = this.runStarted;
    this.liveRun = reduceRun(this.liveRun, event);
    if (message.type === 'started') {
      this.runStarted = true;
      this.options.log.info(`Run started: ${message.runDir} (${message.graph.preset}, ${message.graph.totalParams} parameters)`);
      if (message.resumedFromEpoch > 0) void this.loadHistory(message.runDir, message.resumedFromEpoch);
    } else if (message.type === 'epochEnd') {
      const { epoch, loss, val_loss, samples_per_second } = message.metrics;
      this.options.log.info(`Epoch ${epoch}: loss ${loss.toPrecision(5)}, val_loss ${val_loss?.toPrecision(5) ?? '-'}, ${Math.round(samples_per_second)} samples/s`);
    }
    this.runEvents.fire(event);
    if (message.type === 'error') {
      this.options.log.error(`Training error: ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
      // An error before `started` means the run never began (bad config, unreadable data).
      if (!startedBefore) this.finishRun({ runDir: '', status: 'failed', error: message.message });
    } else if (message.type === 'done') {
      this.options.log.info(`Run ${message.status}: ${message.runDir}, final loss ${message.finalLoss ?? '-'}`);
      this.finishRun({ runDir: message.runDir, status: message.status, error: this.liveRun?.error });
    }
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

  private handleExit(client: TrainerClient, exit: TrainerExit): void {
    // A child that failed to start is handled by startClient; one already replaced is history.
    if (client !== this.client) return;
    for (const subscription of this.clientSubscriptions) subscription.dispose();
    this.clientSubscriptions = [];
    if (client === this.client) this.client = undefined;
    if (exit.expected) return;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    const message = vscode.l10n.t('The trainer process ended unexpectedly ({0}).', how);
    this.options.log.error(`${message}\n${exit.stderrTail}`);
    if (this.pendingRun) {
      this.crashReported = true;
      const run = this.liveRun;
      const error = `${message}\n${exit.stderrTail}`.trim();
      if (run && this.runStarted) {
        // Tell the webviews as the trainer would have, so every view shows the failure.
        this.handleEvent({ type: 'error', message: error });
        this.handleEvent({ type: 'done', runDir: run.runDir, status: 'failed', finalLoss: run.epochs.at(-1)?.loss ?? null });
      } else {
        this.finishRun({ runDir: '', status: 'failed', error });
      }
    }
    void showCrash(message, exit.stderrTail, this.options.log);
  }

  private finishRun(outcome: RunOutcome): void {
    const pending = this.pendingRun;
    if (!pending) return;
    this.pendingRun = undefined;
    clearTimeout(this.stopTimer);
    if (outcome.error && !this.runStarted) this.options.log.error(`Training did not start: ${outcome.error}`);
    pending.resolve({ ...outcome, reported: this.crashReported });
    this.trainingChanges.fire(false);
    // A stopped run leaves no process behind; a finished one keeps it briefly for generate/inspect.
    if (this.stopRequested) this.killClient();
    else this.scheduleIdleKill();
  }

  private killClient(): void {
    this.generation++;
    this.clearIdleTimer();
    clearTimeout(this.stopTimer);
    const client = this.client;
    this.client = undefined;
    for (const subscription of this.clientSubscriptions) subscription.dispose();
    this.clientSubscriptions = [];
    if (client) {
      this.options.log.info('Trainer process stopped');
      client.dispose();
    }
    if (this.pendingRun) {
      const run = this.liveRun;
      if (run && this.runStarted) {
        this.handleEvent({ type: 'done', runDir: run.runDir, status: 'stopped', finalLoss: run.epochs.at(-1)?.loss ?? null });
      } else {
        this.finishRun({ runDir: '', status: 'stopped' });
      }
    }
  }

  private scheduleIdleKill(): void {
    this.clearIdleTimer();
    if (this.pendingRun || !this.client) return;
    this.idleTimer = setTimeout(() => {
      if (!this.pendingRun) {
        this.options.log.info('Trainer idle; stopping it');
        this.killClient();
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
