import { basename } from 'node:path';
import * as vscode from 'vscode';
import { PRESETS } from '../models/config';
import { presetShapes } from '../models/preset-shape';
import type { LabState, RunEvent, RunView } from '../protocol/lab-protocol';
import type { GenerateMode, ImageBatch, InspectResult, ModelGraph, Neighbour, RunStatus } from '../protocol/trainer-protocol';
import { readRun } from '../trainer/runs';
import { Disposable } from './dispose';
import { LabPanel } from './lab-panel';
import type { LabTarget } from './lab-target';
import { localizedLabStrings } from './localized-strings';
import { revealFolder } from './reveal-folder';
import { configFromSettings, runsRootFor } from './settings';
import { messageOf, type RunOutcome, type TrainerHost } from './trainer-host';
import { showTrainingProgress } from './training-progress';

/** What `autoencoderLab.train` resolves to once its run has ended. */
export interface TrainResult {
  runDir: string;
  status: RunStatus;
}

export interface TrainOptions {
  /** The config replaces the lab's whole (the lab's own model cell) instead of overriding it key by key. */
  replace?: boolean;
  /** Continue this run from its last checkpoint, with the config it was started with. */
  resumeRunDir?: string;
}

export interface LabControllerOptions {
  extensionUri: vscode.Uri;
  globalStorageUri: vscode.Uri;
  trainer: TrainerHost;
  log: vscode.LogOutputChannel;
  workspaceState: vscode.Memento;
}

const TARGET_KEY = 'autoencoderLab.labTarget';

/**
 * The lab's one owner: what it shows (a dataset, the model config, the graph, a run) and the one
 * path that trains "dataset X with config Y". Commands and the lab panel call it; the panel only
 * renders `state` when `onDidChange` fires and forwards `onRunEvent` increments to its webview.
 * Its lifetime is the extension's; closing the panel forgets what it showed (`reset`).
 */
export class LabController extends Disposable {
  private target: LabTarget = {};
  private config: Record<string, unknown> = {};
  private dataset: InspectResult | undefined;
  private datasetError: string | undefined;
  private datasetLoading: Promise<InspectResult> | undefined;
  private graph: ModelGraph | undefined;
  private graphError: string | undefined;
  private diskRun: RunView | undefined;
  private panel: LabPanel | undefined;
  /** A train request between its checks and the trainer's start (the dataset is being read); Stop cancels it. */
  private preparing: { cancelled: boolean } | undefined;
  /** Bumped by every graph change, so that only the latest describe reply is shown. */
  private graphVersion = 0;

  private readonly changes = this._register(new vscode.EventEmitter<void>());
  /** The state changed: the panel sends it whole. */
  readonly onDidChange = this.changes.event;
  private readonly increments = this._register(new vscode.EventEmitter<RunEvent>());
  /** An event of the live run the lab shows: the panel forwards it as an increment. */
  readonly onRunEvent = this.increments.event;

  constructor(private readonly options: LabControllerOptions) {
    super();
    const { trainer } = options;
    this._register(trainer.onRunEvent((event) => this.onTrainerRunEvent(event)));
    this._register(trainer.onDidForgetRun((runDir) => this.onRunDeleted(runDir)));
    this._register(
      trainer.onDidRefreshRun(() => {
        if (this.followsLiveRun()) this.changes.fire();
      }),
    );
    this._register({ dispose: () => this.panel?.dispose() });
  }

  /** Shows the lab panel (creating it if needed), on the given target, or a new panel on the last one. */
  show(target?: LabTarget): void {
    const opening = !this.panel;
    if (this.panel) this.panel.reveal();
    else this.panel = LabPanel.create(this, this.options.extensionUri, this.options.log, (closed) => this.onPanelClosed(closed));
    if (target) this.retarget(target);
    else if (opening) this.retarget(this.savedTarget);
  }

  /** After a window reload: the restored panel shows the last target of this workspace. */
  revive(webviewPanel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = LabPanel.adopt(webviewPanel, this, this.options.extensionUri, this.options.log, (closed) => this.onPanelClosed(closed));
    this.retarget(this.savedTarget);
  }

  get datasetPath(): string | undefined {
    return this.target.datasetPath;
  }

  /** The panel's title: the dataset's file name. */
  get title(): string {
    return this.target.datasetPath ? vscode.l10n.t('Autoencoder Lab: {0}', basename(this.target.datasetPath)) : vscode.l10n.t('Autoencoder Lab');
  }

  /** What the lab webview shows. */
  get state(): LabState {
    return {
      strings: localizedLabStrings(),
      presets: [...PRESETS],
      ...(this.dataset ? { presetShapes: presetShapes(this.dataset.summary.kind, this.dataset.summary.inputShape) } : {}),
      config: this.config,
      dataset: this.dataset,
      datasetError: this.datasetError,
      graph: this.graph,
      graphError: this.graphError,
      run: this.shownRun(),
    };
  }

  /** The target of the last lab of this workspace (a new or revived panel opens on it). */
  private get savedTarget(): LabTarget {
    return this.options.workspaceState.get<LabTarget>(TARGET_KEY) ?? {};
  }

  /** Shows a dataset (keeping what the lab has when it is the same) and a run of it, or no run. */
  retarget(target: LabTarget): void {
    const datasetChanged = target.datasetPath !== undefined && target.datasetPath !== this.target.datasetPath;
    this.target = { datasetPath: target.datasetPath ?? this.target.datasetPath, runDir: target.runDir };
    if (datasetChanged) this.forgetDataset();
    this.diskRun = undefined;
    this.saveTarget();
    this.changes.fire();
    void this.load();
  }

  /** The panel closed: the lab forgets what it showed; a run it followed is stopped. */
  private onPanelClosed(panel: LabPanel): void {
    if (this.panel !== panel) return;
    this.panel = undefined;
    // Closing the lab of a running job ends the job: no trainer outlives the view that shows it.
    if (this.followsLiveRun() && this.options.trainer.isTraining) {
      this.options.log.info('Lab closed during training: stopping the run');
      void this.options.trainer.shutdown();
    }
    this.target = {};
    this.forgetDataset();
    this.diskRun = undefined;
  }

  /**
   * The inspected dataset (rejects with the engine's error for a broken one). A failed load is not
   * kept: the next call reads the file again, so a fixed file can be trained.
   */
  datasetReady(): Promise<InspectResult> {
    if (!this.target.datasetPath) return Promise.reject(new Error(vscode.l10n.t('No dataset is open in the lab.')));
    if (!this.datasetLoading) {
      const loading = this.loadDataset(this.target.datasetPath);
      this.datasetLoading = loading;
      loading.catch(() => {
        if (this.datasetLoading === loading) this.datasetLoading = undefined;
      });
    }
    return this.datasetLoading;
  }

  /** A page of the dataset's samples: page 0 (re-running the dataset cell) reloads the dataset the lab trains on. */
  inspect(page: number): Promise<InspectResult> {
    const datasetPath = this.target.datasetPath;
    if (!datasetPath) return Promise.reject(new Error(vscode.l10n.t('No dataset is open in the lab.')));
    if (page === 0) {
      this.datasetLoading = undefined;
      return this.datasetReady();
    }
    return this.options.trainer.inspect({ path: datasetPath }, page);
  }

  /** Builds (not trains) the model of this config and shows its graph. */
  async describe(config: Record<string, unknown>): Promise<ModelGraph> {
    const datasetPath = this.target.datasetPath;
    if (!datasetPath) throw new Error(vscode.l10n.t('No dataset is open in the lab.'));
    this.config = config;
    const version = ++this.graphVersion;
    // A reply is shown only if no later describe, run or dataset changed the graph meanwhile.
    const latest = () => version === this.graphVersion && this.target.datasetPath === datasetPath;
    try {
      const graph = await this.options.trainer.describe({ path: datasetPath }, config);
      if (latest()) {
        this.graph = graph;
        this.graphError = undefined;
        this.changes.fire();
      }
      return graph;
    } catch (error) {
      if (latest()) {
        this.graph = undefined;
        this.graphError = messageOf(error);
        this.changes.fire();
      }
      throw error;
    }
  }

  /** Decodes from the code space of the run the lab shows. */
  generate(
    mode: GenerateMode,
    options: { a?: number; b?: number; textA?: string; textB?: string; steps?: number },
  ): Promise<{ images?: ImageBatch; texts?: string[]; neighbours?: Neighbour[] }> {
    const runDir = this.shownRun()?.runDir;
    if (!runDir) return Promise.reject(new Error(vscode.l10n.t('Train a model first: generation decodes from a saved run.')));
    return this.options.trainer.generate(runDir, mode, options);
  }

  pause(): void {
    this.options.trainer.pause();
  }

  resume(): void {
    this.options.trainer.resume();
  }

  /** Stops the run, or the one being prepared (it then never starts). */
  stop(): void {
    if (this.preparing) this.preparing.cancelled = true;
    this.options.trainer.stop();
  }

  /** A run is being prepared or trains. */
  get isBusy(): boolean {
    return this.preparing !== undefined || this.options.trainer.isTraining;
  }

  revealRun(): void {
    const runDir = this.shownRun()?.runDir;
    if (runDir) void revealFolder(runDir);
  }

  /** The lab's Train button: the model cell's config, whole, on the lab's dataset. */
  trainShown(config: Record<string, unknown>): void {
    const datasetPath = this.target.datasetPath;
    if (!datasetPath) return;
    this.config = config;
    void this.train(datasetPath, config, { replace: true });
  }

  /**
   * Opens the lab on the dataset and trains it; resolves when the run has ended. `config` overrides
   * the lab's model config (from the settings) key by key, or replaces it (`replace`).
   */
  async train(datasetPath: string, config: Record<string, unknown>, options: TrainOptions = {}): Promise<TrainResult | undefined> {
    // Claimed before the first await: a second quick request sees it (and is refused, visibly).
    if (this.preparing) {
      void vscode.window.showInformationMessage(vscode.l10n.t('A training run is already starting.'));
      return undefined;
    }
    const preparing = { cancelled: false };
    this.preparing = preparing;
    let started: { outcome: Promise<RunOutcome> } | undefined;
    try {
      started = await this.startRun(datasetPath, config, options, preparing);
    } finally {
      this.preparing = undefined;
    }
    if (!started) return undefined;
    const result = await started.outcome;
    if (result.status === 'failed' && !result.reported) {
      const showLog = vscode.l10n.t('Show Log');
      void vscode.window
        .showErrorMessage(vscode.l10n.t('Training failed: {0}', result.error ?? vscode.l10n.t('see the log for details')), showLog)
        .then((choice) => choice === showLog && this.options.log.show());
    }
    return { runDir: result.runDir, status: result.status };
  }

  /** The checks and the start of a run: its outcome, or undefined when none was started. */
  private async startRun(
    datasetPath: string,
    config: Record<string, unknown>,
    options: TrainOptions,
    preparing: { cancelled: boolean },
  ): Promise<{ outcome: Promise<RunOutcome> } | undefined> {
    const { trainer, log } = this.options;
    if (trainer.isTraining) {
      const stopAndTrain = vscode.l10n.t('Stop and Train');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('A training run is in progress. Stop it and train on {0}?', basename(datasetPath)),
        { modal: true },
        stopAndTrain,
      );
      if (choice !== stopAndTrain) return undefined;
      await trainer.shutdown();
    }
    const { replace = false, resumeRunDir } = options;
    this.show({ datasetPath, runDir: resumeRunDir });
    let datasetName = basename(datasetPath);
    try {
      datasetName = (await this.datasetReady()).summary.name;
    } catch (error) {
      log.warn(`Cannot train on ${datasetPath}: ${messageOf(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot train on {0}: {1}', basename(datasetPath), messageOf(error)));
      return { outcome: Promise.resolve({ runDir: '', status: 'failed', reported: true }) };
    }
    if (preparing.cancelled) {
      log.info(`Stopped before training ${datasetPath} began`);
      return { outcome: Promise.resolve({ runDir: '', status: 'stopped' }) };
    }
    // A resumed run keeps the config it was started with (the trainer reads it from the run folder).
    const finalConfig = resumeRunDir || replace ? config : { ...this.config, ...config };
    if (!resumeRunDir) {
      this.config = finalConfig;
      this.changes.fire();
    }
    const outcome = trainer.train({
      dataset: { path: datasetPath },
      config: finalConfig,
      runsRoot: runsRootFor(datasetPath, this.options.globalStorageUri),
      resumeRunDir,
    });
    void showTrainingProgress(trainer, datasetName, outcome);
    return { outcome };
  }

  private forgetDataset(): void {
    this.graphVersion++;
    this.config = {};
    this.dataset = undefined;
    this.datasetError = undefined;
    this.datasetLoading = undefined;
    this.graph = undefined;
    this.graphError = undefined;
  }

  private saveTarget(): void {
    void this.options.workspaceState.update(TARGET_KEY, this.target);
  }

  private async load(): Promise<void> {
    const { runDir } = this.target;
    if (runDir && this.options.trainer.run?.runDir !== runDir) {
      try {
        const record = await readRun(runDir);
        if (this.target.runDir !== runDir) return;
        const { info, ...run } = record;
        this.diskRun = run;
        // The model cell shows what this run trained.
        if (Object.keys(run.config).length > 0) this.config = run.config;
        if (run.graph) {
          this.graph = run.graph;
          this.graphVersion++;
        }
        if (!this.target.datasetPath && info.dataset) {
          this.retarget({ datasetPath: info.dataset, runDir });
          return;
        }
        this.changes.fire();
      } catch (error) {
        this.options.log.error(`Cannot read run ${runDir}: ${messageOf(error)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open the run {0}: {1}', basename(runDir), messageOf(error)));
      }
    }
    if (this.target.datasetPath) {
      try {
        await this.datasetReady();
      } catch {
        return; // shown in the dataset cell
      }
      if (!this.graph && !this.graphError) await this.describe(this.config).catch(() => undefined);
    }
  }

  private async loadDataset(datasetPath: string): Promise<InspectResult> {
    try {
      const result = await this.options.trainer.inspect({ path: datasetPath }, 0);
      if (this.target.datasetPath !== datasetPath) return result;
      this.dataset = result;
      this.datasetError = undefined;
      if (Object.keys(this.config).length === 0) this.config = configFromSettings(result.summary.kind, vscode.Uri.file(datasetPath));
      this.changes.fire();
      return result;
    } catch (error) {
      if (this.target.datasetPath === datasetPath) {
        this.datasetError = messageOf(error);
        this.options.log.error(`Cannot read dataset ${datasetPath}: ${this.datasetError}`);
        this.changes.fire();
      }
      throw error;
    }
  }

  private onTrainerRunEvent(event: RunEvent): void {
    const trainer = this.options.trainer;
    if (event.type === 'started') {
      if (trainer.runDatasetPath !== this.target.datasetPath) return;
      // The lab follows the run started on its dataset; a new run replaces the old one whole.
      this.target = { ...this.target, runDir: event.runDir };
      this.diskRun = undefined;
      this.config = event.config;
      this.graph = event.graph;
      this.graphVersion++;
      this.saveTarget();
      this.changes.fire();
      return;
    }
    if (this.followsLiveRun()) this.increments.fire(event);
  }

  private onRunDeleted(runDir: string): void {
    if (this.target.runDir !== runDir) return;
    this.target = { ...this.target, runDir: undefined };
    this.diskRun = undefined;
    this.saveTarget();
    this.changes.fire();
  }

  /** The lab shows the trainer's current run (and gets its events). */
  private followsLiveRun(): boolean {
    const live = this.options.trainer.run;
    return live !== undefined && live.runDir === this.target.runDir;
  }

  private shownRun(): RunView | undefined {
    return this.followsLiveRun() ? this.options.trainer.run : this.diskRun;
  }
}
