import * as vscode from 'vscode';
import { Disposable, disposeAll } from './dispose';
import { listRuns, type RunInfo, type RunState } from '../trainer/runs';
import { debounce } from './debounce';
import { allRunsRoots } from './settings';
import type { TrainerHost } from './trainer-host';

/** A run in the Runs view; commands given one of these (or `{runDir}`) act on that run. */
export class RunItem extends vscode.TreeItem {
  constructor(readonly info: RunInfo) {
    super(displayName(info.name), vscode.TreeItemCollapsibleState.None);
    this.id = info.runDir;
    this.resourceUri = vscode.Uri.file(info.runDir);
    this.description = describeRun(info);
    this.tooltip = tooltip(info);
    this.iconPath = statusIcon(info.status);
    this.contextValue = `run.${info.status}`;
    this.command = { command: 'autoencoderLab.openRun', title: vscode.l10n.t('Open Run'), arguments: [this] };
  }

  get runDir(): string {
    return this.info.runDir;
  }
}

/**
 * Every run folder under the runs folder of each workspace folder, newest first, kept current
 * by a watcher on their status.json files and by the trainer's own start and end events.
 */
export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunItem> {
  private readonly changes = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changes.event;
  private readonly refreshSoon = this._register(debounce(() => this.refresh(), 300));
  /** The watchers of the current runs folders: replaced when the folders change. */
  private watchers: vscode.Disposable[] = [];

  constructor(
    private readonly globalStorage: vscode.Uri,
    trainer: TrainerHost,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => disposeAll(this.watchers) });
    this.watch();
    this._registerAll(
      trainer.onRunEvent((event) => {
        if (event.type === 'started' || event.type === 'epochEnd' || event.type === 'done') this.refreshSoon();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('autoencoderLab.runsFolder')) this.rewatch();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatch()),
    );
  }

  refresh(): void {
    this.changes.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: RunItem): Promise<RunItem[]> {
    if (parent) return [];
    const runs = await this.runs();
    return runs.map((info) => new RunItem(info));
  }

  /** Every run of the workspace, newest first (also used by the Open Run quick pick). */
  async runs(): Promise<RunInfo[]> {
    const lists = await Promise.all(
      allRunsRoots(this.globalStorage).map((root) =>
        listRuns(root).catch((error: unknown) => {
          this.log.error(`Cannot list runs in ${root}: ${String(error)}`);
          return [] as RunInfo[];
        }),
      ),
    );
    return lists.flat().sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  }

  private watch(): void {
    for (const root of allRunsRoots(this.globalStorage)) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '*/status.json'));
      watcher.onDidCreate(this.refreshSoon);
      watcher.onDidChange(this.refreshSoon);
      watcher.onDidDelete(this.refreshSoon);
      this.watchers.push(watcher);
    }
  }

  private rewatch(): void {
    disposeAll(this.watchers);
    this.watch();
    this.refresh();
  }
}

/** `20261127-195501-fashion-dense` shows as `fashion-dense`; the date is in the description. */
function displayName(folderName: string): string {
  const match = /^\d{8}-\d{6}-(.+)$/.exec(folderName);
  return match ? match[1] : folderName;
}

function describeRun(info: RunInfo): string {
  const parts: string[] = [];
  // The validation MSE compares runs whatever their loss (MSE, BCE, KL terms); the loss is the run's own objective.
  if (typeof info.bestValMse === 'number') parts.push(vscode.l10n.t('val MSE {0}', info.bestValMse.toPrecision(4)));
  if (info.finalLoss !== null && Number.isFinite(info.finalLoss)) parts.push(vscode.l10n.t('loss {0}', info.finalLoss.toPrecision(4)));
  if (info.backend) parts.push(info.backend);
  const date = runDate(info);
  if (date) parts.push(date.toLocaleString(vscode.env.language, { dateStyle: 'short', timeStyle: 'short' }));
  return parts.join(' · ');
}

function runDate(info: RunInfo): Date | undefined {
  if (info.startedAt) {
    const date = new Date(info.startedAt);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const match = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(info.name);
  return match ? new Date(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]) : undefined;
}

export function statusLabel(status: RunState): string {
  switch (status) {
    case 'running':
      return vscode.l10n.t('running');
    case 'completed':
      return vscode.l10n.t('completed');
    case 'stopped':
      return vscode.l10n.t('stopped');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'interrupted':
      return vscode.l10n.t('interrupted');
  }
}

function stopReasonLabel(reason: NonNullable<RunInfo['stopReason']>): string {
  switch (reason) {
    case 'patience':
      return vscode.l10n.t('it stopped improving on held-out samples');
    case 'time':
      return vscode.l10n.t('time limit reached');
    case 'epochs':
      return vscode.l10n.t('epoch limit reached');
    case 'user':
      return vscode.l10n.t('stopped by the user');
  }
}

function tooltip(info: RunInfo): vscode.MarkdownString {
  const lines = [`**${info.name}** — ${statusLabel(info.status)}`, ''];
  const row = (label: string, value: string | undefined) => {
    if (value) lines.push(`- ${label}: ${value}`);
  };
  row(vscode.l10n.t('Dataset'), info.dataset);
  row(vscode.l10n.t('Preset'), info.preset);
  row(vscode.l10n.t('Epochs'), info.epochs !== undefined ? `${info.epochsCompleted} / ${info.epochs}` : String(info.epochsCompleted));
  row(vscode.l10n.t('Final loss'), info.finalLoss !== null ? String(info.finalLoss) : undefined);
  row(
    vscode.l10n.t('Validation MSE'),
    typeof info.bestValMse === 'number'
      ? info.bestEpoch !== undefined
        ? vscode.l10n.t('{0} (model from epoch {1})', info.bestValMse.toPrecision(4), info.bestEpoch)
        : info.bestValMse.toPrecision(4)
      : undefined,
  );
  row(vscode.l10n.t('Ended because'), info.stopReason ? stopReasonLabel(info.stopReason) : undefined);
  row(vscode.l10n.t('Backend'), info.backend);
  row(vscode.l10n.t('tfjs-node loaded from'), info.tfjsNode);
  row(vscode.l10n.t('Started'), info.startedAt);
  row(vscode.l10n.t('Ended'), info.endedAt ?? undefined);
  row(vscode.l10n.t('Error message'), info.error);
  row(vscode.l10n.t('Folder'), info.runDir);
  const markdown = new vscode.MarkdownString(lines.join('\n'));
  markdown.supportHtml = false;
  return markdown;
}

function statusIcon(status: RunState): vscode.ThemeIcon {
  switch (status) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'stopped':
      return new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('testing.iconSkipped'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'interrupted':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  }
}
