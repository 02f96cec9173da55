import { basename } from 'node:path';
import * as vscode from 'vscode';
import { readRunInfo } from '../trainer/runs';
import { inspectDataset, type InspectorContext } from './dataset-inspector';
import { DatasetItem, type DatasetsTreeProvider } from './datasets-tree';
import type { LabController, TrainResult } from './lab-controller';
import { RunItem, statusLabel, type RunsTreeProvider } from './runs-tree';
import { messageOf, type TrainerHost } from './trainer-host';
import { revealFolder } from './reveal-folder';

export interface CommandContext {
  extensionUri: vscode.Uri;
  trainer: TrainerHost;
  log: vscode.LogOutputChannel;
  lab: LabController;
  datasets: DatasetsTreeProvider;
  runs: RunsTreeProvider;
}

/** Registers every command of the manifest. */
export function registerCommands(context: CommandContext): vscode.Disposable {
  const { trainer, log, lab } = context;
  const inspector: InspectorContext = { extensionUri: context.extensionUri, trainer, log };

  async function train(arg?: unknown): Promise<TrainResult | undefined> {
    if (isTrainArgs(arg)) return lab.train(arg.dataset, arg.config ?? {});
    const uri = datasetUriOf(arg) ?? (await pickDataset(context.datasets, vscode.l10n.t('Choose a dataset to train an autoencoder on')));
    return uri ? lab.train(uri.fsPath, {}) : undefined;
  }

  async function inspect(arg?: unknown): Promise<void> {
    const uri = datasetUriOf(arg) ?? (await pickDataset(context.datasets, vscode.l10n.t('Choose a dataset to inspect')));
    if (!uri) return;
    try {
      await inspectDataset(inspector, uri);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot inspect {0}: {1}', basename(uri.fsPath), messageOf(error)));
    }
  }

  /** Opens the lab: on the dataset given (a Uri, tree item or path), else on the running job or the last target. */
  function openLab(arg?: unknown): void {
    const uri = datasetUriOf(arg);
    if (uri) {
      lab.show({ datasetPath: uri.fsPath });
      return;
    }
    const live = trainer.isTraining ? trainer.run : undefined;
    lab.show(live ? { datasetPath: trainer.runDatasetPath, runDir: live.runDir } : undefined);
  }

  function stopTraining(): void {
    if (!lab.isBusy) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No training is running.'));
      return;
    }
    lab.stop();
  }

  async function openRun(arg?: unknown): Promise<void> {
    const runDir = runDirOf(arg) ?? (await pickRun(context.runs));
    if (!runDir) return;
    const live = trainer.run?.runDir === runDir;
    const dataset = live ? trainer.runDatasetPath : (await readRunInfo(runDir).catch(() => undefined))?.dataset;
    lab.show({ datasetPath: dataset, runDir });
  }

  /** Continues a stopped, failed or interrupted run from its last checkpoint, in the same run folder. */
  async function resumeRun(arg?: unknown): Promise<TrainResult | undefined> {
    const runDir = runDirOf(arg) ?? (await pickRun(context.runs));
    if (!runDir) return undefined;
    const info = await readRunInfo(runDir).catch(() => undefined);
    if (!info?.dataset || info.checkpointEpoch === undefined) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The run {0} has no checkpoint to resume from.', basename(runDir)));
      return undefined;
    }
    if (info.status === 'running' || info.status === 'completed') {
      void vscode.window.showInformationMessage(vscode.l10n.t('The run {0} is {1}; only stopped, failed or interrupted runs can be resumed.', basename(runDir), statusLabel(info.status)));
      return undefined;
    }
    return lab.train(info.dataset, {}, { resumeRunDir: runDir });
  }

  async function revealRun(arg?: unknown): Promise<void> {
    const runDir = runDirOf(arg) ?? (await pickRun(context.runs));
    if (runDir) await revealFolder(runDir);
  }

  async function deleteRun(arg?: unknown): Promise<void> {
    const runDir = runDirOf(arg) ?? (await pickRun(context.runs));
    if (!runDir) return;
    if (trainer.isTraining && trainer.run?.runDir === runDir) {
      void vscode.window.showWarningMessage(vscode.l10n.t('This run is still training. Stop it before deleting it.'));
      return;
    }
    const remove = vscode.l10n.t('Delete');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the run {0}?', basename(runDir)),
      { modal: true, detail: vscode.l10n.t('Its folder {0} (model, metrics, reconstructions) will be deleted permanently.', runDir) },
      remove,
    );
    if (choice !== remove) return;
    try {
      await vscode.workspace.fs.delete(vscode.Uri.file(runDir), { recursive: true, useTrash: false });
      log.info(`Deleted run ${runDir}`);
      trainer.forgetRun(runDir);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot delete {0}: {1}', runDir, messageOf(error)));
    }
    context.runs.refresh();
  }

  function refresh(): void {
    context.datasets.refresh();
    context.runs.refresh();
  }

  return vscode.Disposable.from(
    vscode.commands.registerCommand('autoencoderLab.train', train),
    vscode.commands.registerCommand('autoencoderLab.openLab', openLab),
    vscode.commands.registerCommand('autoencoderLab.inspectDataset', inspect),
    vscode.commands.registerCommand('autoencoderLab.stopTraining', stopTraining),
    vscode.commands.registerCommand('autoencoderLab.openRun', openRun),
    vscode.commands.registerCommand('autoencoderLab.resumeRun', resumeRun),
    vscode.commands.registerCommand('autoencoderLab.revealRun', revealRun),
    vscode.commands.registerCommand('autoencoderLab.deleteRun', deleteRun),
    vscode.commands.registerCommand('autoencoderLab.refresh', refresh),
  );
}

/** The test/automation form: `{ dataset: '/abs/path', config?: { epochs: 1 } }`. */
function isTrainArgs(arg: unknown): arg is { dataset: string; config?: Record<string, unknown> } {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return false;
  const record = arg as Record<string, unknown>;
  return typeof record.dataset === 'string' && (record.config === undefined || (typeof record.config === 'object' && record.config !== null));
}

/** A dataset given as an Explorer Uri, a Datasets tree item or a path. */
function datasetUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (arg instanceof DatasetItem) return vscode.Uri.file(arg.candidate.path);
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  return undefined;
}

/** A run given as a Runs tree item, `{runDir}`, a Uri or a path. */
function runDirOf(arg: unknown): string | undefined {
  if (arg instanceof RunItem) return arg.runDir;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && arg) return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { runDir?: unknown }).runDir === 'string') return (arg as { runDir: string }).runDir;
  return undefined;
}

async function pickDataset(datasets: DatasetsTreeProvider, placeHolder: string): Promise<vscode.Uri | undefined> {
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: boolean };
  const items = datasets.candidates().then((candidates) => {
    // Broken files stay in the list, marked: picking one shows the engine's error about it.
    const picks: Item[] = candidates.map((candidate) => ({
      label: basename(candidate.path),
      description: candidate.error ? DatasetItem.describe(candidate) : `${DatasetItem.describe(candidate)} · ${candidate.format}`,
      detail: vscode.workspace.asRelativePath(candidate.path),
      iconPath: DatasetItem.icon(candidate),
      uri: vscode.Uri.file(candidate.path),
    }));
    picks.push({ label: vscode.l10n.t('Choose a file or folder…'), iconPath: new vscode.ThemeIcon('folder-opened'), browse: true, alwaysShow: true });
    return picks;
  });
  // ignoreFocusOut: a fresh window's Welcome page takes the focus when it finishes rendering, which
  // closed this pick within 150 ms of opening (the Train command then did nothing, reported in a fresh
  // profile); Escape still closes it.
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (!picked.browse) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: vscode.l10n.t('Use as Dataset'),
  });
  return chosen?.[0];
}

async function pickRun(runs: RunsTreeProvider): Promise<string | undefined> {
  const items = runs.runs().then((list) =>
    list.map((info) => ({
      label: info.name,
      description: [statusLabel(info.status), info.finalLoss !== null ? vscode.l10n.t('loss {0}', info.finalLoss.toPrecision(4)) : undefined, info.backend]
        .filter(Boolean)
        .join(' · '),
      detail: info.dataset ? vscode.workspace.asRelativePath(info.dataset) : undefined,
      runDir: info.runDir,
    })),
  );
  const picked = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Choose a run') });
  return picked?.runDir;
}
