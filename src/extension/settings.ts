import * as path from 'node:path';
import * as vscode from 'vscode';
import { presetFor, type DatasetKind } from './preset-choice';

/** The extension's settings (contributes.configuration), read fresh each time they are needed. */

export type BackendSetting = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const SECTION = 'autoencoderLab';
const DEFAULT_RUNS_FOLDER = '.autoencoder-lab/runs';

export function preferredBackend(): BackendSetting {
  const value = vscode.workspace.getConfiguration(SECTION).get<string>('preferredBackend', 'auto');
  return value === 'tensorflow' || value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/**
 * The model config the settings ask for, for data of the given kind. `auto` (and any preset that
 * cannot read text) becomes `sequence` for text, because only the sequence model takes strings.
 */
export function configFromSettings(kind: DatasetKind | undefined, resource?: vscode.Uri): Record<string, unknown> {
  const settings = vscode.workspace.getConfiguration(SECTION, resource);
  const chosen = settings.get<string>('defaultPreset', 'auto');
  const config: Record<string, unknown> = { preset: presetFor(kind, chosen) };
  // 0 (the default) leaves the preset's batch size: 128, or 64 for text.
  const batchSize = settings.get<number>('batchSize', 0);
  if (batchSize > 0) config.batchSize = batchSize;
  // 0 (the default) leaves epochs automatic: training goes on while the validation loss improves.
  const epochs = settings.get<number>('epochs', 0);
  if (epochs > 0) config.epochs = epochs;
  const codeSize = settings.get<number>('codeSize', 0);
  if (codeSize > 0) config.codeSize = codeSize;
  return config;
}

/**
 * Where runs of a dataset are written: the runs folder setting, resolved against the workspace
 * folder holding the dataset (or the first one); outside any workspace, the extension's storage.
 */
export function runsRootFor(datasetPath: string | undefined, globalStorage: vscode.Uri): string {
  const folder =
    (datasetPath ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasetPath)) : undefined) ??
    vscode.workspace.workspaceFolders?.[0];
  return runsRootOf(folder, globalStorage);
}

export function runsRootOf(folder: vscode.WorkspaceFolder | undefined, globalStorage: vscode.Uri): string {
  const setting = vscode.workspace.getConfiguration(SECTION, folder?.uri).get<string>('runsFolder', DEFAULT_RUNS_FOLDER).trim() || DEFAULT_RUNS_FOLDER;
  if (path.isAbsolute(setting)) return setting;
  if (folder && folder.uri.scheme === 'file') return path.join(folder.uri.fsPath, setting);
  return path.join(globalStorage.fsPath, 'runs');
}

/** Every runs folder to list: one per workspace folder (absolute settings may coincide). */
export function allRunsRoots(globalStorage: vscode.Uri): string[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const roots = folders.length ? folders.map((folder) => runsRootOf(folder, globalStorage)) : [runsRootOf(undefined, globalStorage)];
  return [...new Set(roots)];
}
