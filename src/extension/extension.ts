import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDatasetInspector } from './dataset-inspector';
import { DatasetsTreeProvider } from './datasets-tree';
import { LabController } from './lab-controller';
import { LAB_VIEW_TYPE } from './lab-panel';
import { registerNativeBackend } from './native-backend/native-backend-commands';
import { RunsTreeProvider } from './runs-tree';
import { allRunsRoots, preferredBackend } from './settings';
import { createTrainingStatusBar } from './status-bar';
import { TrainerHost } from './trainer-host';
import { TRAINING_VIEW_ID, TrainingViewProvider } from './training-view';

/**
 * Activation wires the parts together and starts nothing heavy: no trainer process, no tfjs
 * (the extension host never loads it), no dataset reads until a view or command asks.
 */

let trainerHost: TrainerHost | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Autoencoder Lab', { log: true });
  const trainer = new TrainerHost({
    trainerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath,
    log,
    preferredBackend,
  });
  trainerHost = trainer;
  const datasets = new DatasetsTreeProvider(log, () => allRunsRoots(context.globalStorageUri));
  const runs = new RunsTreeProvider(context.globalStorageUri, trainer, log);
  const training = new TrainingViewProvider(context.extensionUri, trainer, log);
  const lab = new LabController({
    extensionUri: context.extensionUri,
    globalStorageUri: context.globalStorageUri,
    trainer,
    log,
    workspaceState: context.workspaceState,
  });

  context.subscriptions.push(
    trainer,
    datasets,
    runs,
    training,
    lab,
    registerCommands({ extensionUri: context.extensionUri, trainer, log, lab, datasets, runs }),
    vscode.window.createTreeView('autoencoderLab.datasets', { treeDataProvider: datasets, showCollapseAll: false }),
    vscode.window.createTreeView('autoencoderLab.runs', { treeDataProvider: runs }),
    vscode.window.registerWebviewViewProvider(TRAINING_VIEW_ID, training),
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => lab.revive(panel),
    }),
    registerDatasetInspector({ extensionUri: context.extensionUri, trainer, log }),
    registerNativeBackend({ context, log, backendChanged: () => trainer.backendSettingChanged() }),
    createTrainingStatusBar(trainer),
    trainer.onDidChangeTraining((isTraining) => void vscode.commands.executeCommand('setContext', 'autoencoderLab.training', isTraining)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('autoencoderLab.preferredBackend')) trainer.backendSettingChanged();
    }),
    // Disposed in order: the log last, so what the others say while shutting down is kept.
    log,
  );
  log.info(`Autoencoder Lab ${context.extension.packageJSON.version as string} activated (${vscode.env.appName} ${vscode.version}, ${vscode.env.language})`);
}

/** Stops a running job so its run folder says `stopped`, then kills the trainer: no orphans. */
export async function deactivate(): Promise<void> {
  const trainer = trainerHost;
  trainerHost = undefined;
  await trainer?.shutdown(2000);
}
