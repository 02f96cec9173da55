import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { PRESETS } from '../models/config';
import type { FromLab, LabState } from '../protocol/lab-protocol';
import type { InspectResult } from '../protocol/trainer-protocol';
import { localizedLabStrings } from './localized-strings';
import { messageOf, type TrainerHost } from './trainer-host';
import { WebviewConnection } from './webview-connection';
import { buildWebviewHtml, webviewOptions } from './webview-html';
import { labIcon } from './lab-icon';

export const INSPECTOR_VIEW_TYPE = 'autoencoderLab.datasetInspector';
/** The same inspector for text formats (CSV, TSV, TXT), offered through "Open With…" only. */
export const TEXT_INSPECTOR_VIEW_TYPE = 'autoencoderLab.datasetInspector.text';
/** Folders (and files no editor claims) are inspected in a plain panel. */
const FOLDER_INSPECTOR_VIEW_TYPE = 'autoencoderLab.folderInspector';

export interface InspectorContext {
  extensionUri: vscode.Uri;
  trainer: TrainerHost;
  log: vscode.LogOutputChannel;
}

/**
 * One inspector webview on one dataset: the child process reads the data (the host never does)
 * and the webview draws summary, statistics, the paged samples and the histogram. A file the
 * engine cannot read shows its error, not a blank view.
 */
class InspectorSession extends Disposable {
  private result: InspectResult | undefined;
  private error: string | undefined;
  private readonly connection: WebviewConnection;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly context: InspectorContext,
    private readonly webview: vscode.Webview,
    private readonly datasetPath: string,
  ) {
    super();
    webview.options = webviewOptions(context.extensionUri);
    webview.html = buildWebviewHtml(webview, context.extensionUri, 'inspector', vscode.l10n.t('Dataset Inspector: {0}', basename(datasetPath)));
    this.connection = this._register(new WebviewConnection(webview, context.log, (message) => this.handle(message)));
  }

  private handle(message: FromLab): void {
    switch (message.type) {
      case 'ready':
        this.postState();
        this.loading ??= this.load();
        break;
      case 'inspect':
        this.connection.reply(message.requestId, this.context.trainer.inspect({ path: this.datasetPath }, message.page));
        break;
      case 'train':
        void vscode.commands.executeCommand('autoencoderLab.train', vscode.Uri.file(this.datasetPath));
        break;
      default:
        break;
    }
  }

  private async load(): Promise<void> {
    try {
      this.result = await this.context.trainer.inspect({ path: this.datasetPath }, 0);
      this.error = undefined;
    } catch (error) {
      this.error = messageOf(error);
      this.context.log.error(`Cannot inspect ${this.datasetPath}: ${this.error}`);
    }
    this.postState();
  }

  private postState(): void {
    const state: LabState = {
      strings: localizedLabStrings(),
      presets: [...PRESETS],
      config: {},
      dataset: this.result,
      datasetError: this.error,
    };
    this.connection.send({ type: 'state', state });
  }
}

/** The read-only custom editor of dataset files (.npy, .npz, IDX; CSV/TSV/TXT through "Open With…"). */
export class DatasetInspectorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly context: InspectorContext) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const session = new InspectorSession(this.context, panel.webview, document.uri.fsPath);
    panel.onDidDispose(() => session.dispose());
  }
}

export function registerDatasetInspector(context: InspectorContext): vscode.Disposable {
  const provider = new DatasetInspectorProvider(context);
  // No retainContextWhenHidden: a hidden inspector reloads and says `ready` again.
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(INSPECTOR_VIEW_TYPE, provider),
    vscode.window.registerCustomEditorProvider(TEXT_INSPECTOR_VIEW_TYPE, provider),
  );
}

/** Files the custom editors open (their manifest selectors); anything else opens in a panel. */
const BINARY_FORMATS = /(\.(npy|npz|idx)|\.idx\.gz|-ubyte(\.gz)?)$/i;
const TEXT_FORMATS = /\.(csv|tsv|txt)$/i;

/**
 * Inspect Dataset on a path: dataset files open in the custom editor; folders (image folders,
 * which no editor can open) and files of other names open in a webview panel with the same UI.
 */
export async function inspectDataset(context: InspectorContext, uri: vscode.Uri): Promise<void> {
  const stat = await vscode.workspace.fs.stat(uri);
  const isFolder = (stat.type & vscode.FileType.Directory) !== 0;
  if (!isFolder && BINARY_FORMATS.test(uri.fsPath)) {
    await vscode.commands.executeCommand('vscode.openWith', uri, INSPECTOR_VIEW_TYPE);
  } else if (!isFolder && TEXT_FORMATS.test(uri.fsPath)) {
    await vscode.commands.executeCommand('vscode.openWith', uri, TEXT_INSPECTOR_VIEW_TYPE);
  } else {
    const panel = vscode.window.createWebviewPanel(
      FOLDER_INSPECTOR_VIEW_TYPE,
      vscode.l10n.t('Dataset Inspector: {0}', basename(uri.fsPath)),
      vscode.ViewColumn.Active,
      webviewOptions(context.extensionUri),
    );
    panel.iconPath = labIcon(context.extensionUri);
    const session = new InspectorSession(context, panel.webview, uri.fsPath);
    panel.onDidDispose(() => session.dispose());
  }
}
