import { basename } from 'node:path';
import * as vscode from 'vscode';
import { PRESETS } from '../models/config';
import type { FromLab, LabState, RunEvent, RunView } from '../protocol/lab-protocol';
import type { InspectResult } from '../protocol/trainer-protocol';
import { readRun } from '../trainer/runs';
import { localizedLabStrings } from './localized-strings';
import { targetFromSavedState, type LabTarget } from './lab-target';
import { configFromSettings } from './settings';
import { messageOf, type TrainerHost } from './trainer-host';
import { WebviewConnection } from './webview-connection';
import { buildWebviewHtml, webviewOptions } from './webview-html';
import { revealFolder } from './reveal-folder';
import { labIcon } from './lab-icon';

export interface LabContext {
  extensionUri: vscode.Uri;
  trainer: TrainerHost;
  log: vscode.LogOutputChannel;
  workspaceState: vscode.Memento;
  /** The Train command's path: starts a run of this dataset with these config overrides. */
  train(datasetPath: string, config: Record<string, unknown>): Promise<unknown>;
}

export const LAB_VIEW_TYPE = 'autoencoderLab.lab';
const TARGET_KEY = 'autoencoderLab.labTarget';

/**
 * The lab: one webview panel per window, a notebook of cells (dataset, model, train, results).
 * The host holds the state and sends it whole on `ready` (a hidden panel is not kept alive, it
 * reloads and asks again), then forwards the trainer's events as increments.
 */
export class LabPanel implements vscode.Disposable {
  private static current: LabPanel | undefined;

  private target: LabTarget = {};
  private config: Record<string, unknown> = {};
  private dataset: InspectResult | undefined;
  private datasetError: string | undefined;
  private datasetLoading: Promise<InspectResult> | undefined;
  private graph: LabState['graph'];
  private graphError: string | undefined;
  private diskRun: RunView | undefined;
  private readonly connection: WebviewConnection;
  private readonly subscriptions: vscode.Disposable[] = [];

  static get currentPanel(): LabPanel | undefined {
    return LabPanel.current;
  }

  /** Shows the lab (creating it if needed), on the given dataset or run when one is given. */
  static show(context: LabContext, target?: LabTarget): LabPanel {
    if (LabPanel.current) {
      LabPanel.current.panel.reveal(undefined, false);
      if (target) LabPanel.current.retarget(target);
      return LabPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(LAB_VIEW_TYPE, vscode.l10n.t('Autoencoder Lab'), vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      enableFindWidget: true,
    });
    const lab = new LabPanel(context, panel);
    lab.retarget(target ?? context.workspaceState.get<LabTarget>(TARGET_KEY) ?? {});
    return lab;
  }

  /** After a window reload: the webview's saved state (if it kept one) or the last target of this workspace. */
  static revive(context: LabContext, panel: vscode.WebviewPanel, savedState: unknown): void {
    panel.webview.options = webviewOptions(context.extensionUri);
    LabPanel.current?.panel.dispose();
    const lab = new LabPanel(context, panel);
    lab.retarget(targetFromSavedState(savedState) ?? context.workspaceState.get<LabTarget>(TARGET_KEY) ?? {});
  }

  private constructor(
    private readonly context: LabContext,
    private readonly panel: vscode.WebviewPanel,
  ) {
    LabPanel.current = this;
    panel.iconPath = labIcon(context.extensionUri);
    panel.webview.html = buildWebviewHtml(panel.webview, context.extensionUri, 'lab', vscode.l10n.t('Autoencoder Lab'));
    this.connection = new WebviewConnection(panel.webview, context.log, (message) => this.handle(message));
    this.subscriptions.push(
      this.connection,
      context.trainer.onRunEvent((event) => this.onTrainerEvent(event)),
      context.trainer.onDidForgetRun((runDir) => this.onRunDeleted(runDir)),
      context.trainer.onDidRefreshRun(() => {
        if (this.followsLiveRun()) this.postState();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get datasetPath(): string | undefined {
    return this.target.datasetPath;
  }

  /** The model config of the model cell (settings-based until the user changes it). */
  get modelConfig(): Record<string, unknown> {
    return this.config;
  }

  /** The inspected dataset (rejects with the engine's error for a broken one). */
  datasetReady(): Promise<InspectResult> {
    if (!this.target.datasetPath) return Promise.reject(new Error(vscode.l10n.t('No dataset is open in the lab.')));
    this.datasetLoading ??= this.loadDataset(this.target.datasetPath);
    return this.datasetLoading;
  }

  /** The config about to be trained: shown in the model cell. */
  setModelConfig(config: Record<string, unknown>): void {
    this.config = config;
    this.postState();
  }

  retarget(target: LabTarget): void {
    const datasetChanged = target.datasetPath !== undefined && target.datasetPath !== this.target.datasetPath;
    this.target = { datasetPath: target.datasetPath ?? this.target.datasetPath, runDir: target.runDir };
    if (datasetChanged) {
      this.config = {};
      this.dataset = undefined;
      this.datasetError = undefined;
      this.datasetLoading = undefined;
      this.graph = undefined;
      this.graphError = undefined;
    }
    this.diskRun = undefined;
    void this.context.workspaceState.update(TARGET_KEY, this.target);
    this.panel.title = this.target.datasetPath
      ? vscode.l10n.t('Autoencoder Lab: {0}', basename(this.target.datasetPath))
      : vscode.l10n.t('Autoencoder Lab');
    this.postState();
    void this.load();
  }

  dispose(): void {
    if (LabPanel.current === this) LabPanel.current = undefined;
    // Closing the lab of a running job ends the job: no trainer outlives the view that shows it.
    if (this.followsLiveRun() && this.context.trainer.isTraining) {
      this.context.log.info('Lab closed during training: stopping the run');
      void this.context.trainer.shutdown();
    }
    for (const subscription of this.subscriptions) subscription.dispose();
    this.panel.dispose();
  }

  private async load(): Promise<void> {
    const { runDir } = this.target;
    if (runDir && this.context.trainer.run?.runDir !== runDir) {
      try {
        const record = await readRun(runDir);
        if (this.target.runDir !== runDir) return;
        const { info, ...run } = record;
        this.diskRun = run;
        // The model cell shows what this run trained.
        if (Object.keys(run.config).length > 0) this.config = run.config;
        if (run.graph) this.graph = run.graph;
        if (!this.target.datasetPath && info.dataset) {
          this.retarget({ datasetPath: info.dataset, runDir });
          return;
        }
        this.postState();
      } catch (error) {
        this.context.log.error(`Cannot read run ${runDir}: ${messageOf(error)}`);
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
      const result = await this.context.trainer.inspect({ path: datasetPath }, 0);
      if (this.target.datasetPath !== datasetPath) return result;
      this.dataset = result;
      this.datasetError = undefined;
      if (Object.keys(this.config).length === 0) {
        this.config = configFromSettings(result.summary.kind, vscode.Uri.file(datasetPath));
      }
      this.postState();
      return result;
    } catch (error) {
      if (this.target.datasetPath === datasetPath) {
        this.datasetError = messageOf(error);
        this.context.log.error(`Cannot read dataset ${datasetPath}: ${this.datasetError}`);
        this.postState();
      }
      throw error;
    }
  }

  private async describe(config: Record<string, unknown>) {
    const datasetPath = this.target.datasetPath;
    if (!datasetPath) throw new Error(vscode.l10n.t('No dataset is open in the lab.'));
    this.config = config;
    try {
      const graph = await this.context.trainer.describe({ path: datasetPath }, config);
      if (this.target.datasetPath === datasetPath) {
        this.graph = graph;
        this.graphError = undefined;
        this.postState();
      }
      return graph;
    } catch (error) {
      if (this.target.datasetPath === datasetPath) {
        this.graph = undefined;
        this.graphError = messageOf(error);
        this.postState();
      }
      throw error;
    }
  }

  private handle(message: FromLab): void {
    const trainer = this.context.trainer;
    switch (message.type) {
      case 'ready':
        this.postState();
        break;
      case 'describe':
        this.connection.reply(message.requestId, this.describe(message.config));
        break;
      case 'inspect': {
        const datasetPath = this.target.datasetPath;
        this.connection.reply(
          message.requestId,
          datasetPath ? trainer.inspect({ path: datasetPath }, message.page) : Promise.reject(new Error(vscode.l10n.t('No dataset is open in the lab.'))),
        );
        break;
      }
      case 'generate': {
        const runDir = this.shownRun()?.runDir;
        const { mode, a, b, steps } = message;
        this.connection.reply(
          message.requestId,
          runDir ? trainer.generate(runDir, mode, { a, b, steps }) : Promise.reject(new Error(vscode.l10n.t('Train a model first: generation decodes from a saved run.'))),
        );
        break;
      }
      case 'train':
        if (this.target.datasetPath) {
          this.config = message.config;
          void this.context.train(this.target.datasetPath, message.config);
        }
        break;
      case 'pause':
        trainer.pause();
        break;
      case 'resume':
        trainer.resume();
        break;
      case 'stop':
        trainer.stop();
        break;
      case 'revealRun': {
        const runDir = this.shownRun()?.runDir;
        if (runDir) void revealFolder(runDir);
        break;
      }
    }
  }

  private onTrainerEvent(event: RunEvent): void {
    const trainer = this.context.trainer;
    if (event.type === 'started') {
      if (trainer.runDatasetPath !== this.target.datasetPath) return;
      // The lab follows the run started on its dataset.
      this.target = { ...this.target, runDir: event.runDir };
      this.diskRun = undefined;
      this.config = event.config;
      this.graph = event.graph;
      void this.context.workspaceState.update(TARGET_KEY, this.target);
      // A new run replaces the old one whole (with the backend, which `started` does not carry).
      this.postState();
      return;
    }
    if (this.followsLiveRun()) this.connection.send({ type: 'run', event });
  }

  private onRunDeleted(runDir: string): void {
    if (this.target.runDir !== runDir) return;
    this.target = { ...this.target, runDir: undefined };
    this.diskRun = undefined;
    void this.context.workspaceState.update(TARGET_KEY, this.target);
    this.postState();
  }

  private followsLiveRun(): boolean {
    const live = this.context.trainer.run;
    return live !== undefined && live.runDir === this.target.runDir;
  }

  private shownRun(): RunView | undefined {
    return this.followsLiveRun() ? this.context.trainer.run : this.diskRun;
  }

  private postState(): void {
    this.connection.send({ type: 'state', state: this.state() });
  }

  private state(): LabState {
    return {
      strings: localizedLabStrings(),
      presets: [...PRESETS],
      config: this.config,
      dataset: this.dataset,
      datasetError: this.datasetError,
      graph: this.graph,
      graphError: this.graphError,
      run: this.shownRun(),
    };
  }
}
