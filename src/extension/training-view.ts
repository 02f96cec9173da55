import * as vscode from 'vscode';
import { INSTALL_NATIVE_BACKEND_COMMAND } from './native-backend/native-backend-commands';
import { Disposable } from './dispose';
import { PRESETS } from '../models/config';
import type { FromLab, LabState } from '../protocol/lab-protocol';
import { localizedLabStrings } from './localized-strings';
import type { TrainerHost } from './trainer-host';
import { WebviewConnection } from './webview-connection';
import { buildWebviewHtml, webviewOptions } from './webview-html';
import { revealFolder } from './reveal-folder';

export const TRAINING_VIEW_ID = 'autoencoderLab.training';

/**
 * The Training view in the side panel: the running job's loss sparkline, its latest
 * reconstructions and a Stop button (drawn by webview/training-view). Not kept alive when
 * hidden: it says `ready` again when shown and gets the whole state back.
 */
export class TrainingViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private connection: WebviewConnection | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly trainer: TrainerHost,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.connection?.dispose() });
    this._registerAll(
      trainer.onRunEvent((event) => {
        // A new run replaces the old one whole; everything else is an increment.
        if (event.type === 'started') this.postState();
        else this.connection?.send({ type: 'run', event });
      }),
      trainer.onDidForgetRun(() => this.postState()),
      trainer.onDidRefreshRun(() => this.postState()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.connection?.dispose();
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = buildWebviewHtml(view.webview, this.extensionUri, 'training-view', vscode.l10n.t('Training'));
    const connection = new WebviewConnection(view.webview, this.log, (message) => this.handle(message));
    this.connection = connection;
    const visibility = view.onDidChangeVisibility(() => {
      if (view.visible) this.postState();
    });
    view.onDidDispose(() => {
      visibility.dispose();
      connection.dispose();
      if (this.connection === connection) {
        this.connection = undefined;
        this.view = undefined;
      }
    });
  }

  private handle(message: FromLab): void {
    switch (message.type) {
      case 'ready':
        this.postState();
        break;
      case 'installNativeBackend':
        void vscode.commands.executeCommand(INSTALL_NATIVE_BACKEND_COMMAND);
        break;
      case 'stop':
        this.trainer.stop();
        break;
      case 'pause':
        this.trainer.pause();
        break;
      case 'resume':
        this.trainer.resume();
        break;
      case 'revealRun': {
        const runDir = this.trainer.run?.runDir;
        if (runDir) void revealFolder(runDir);
        break;
      }
      default:
        break;
    }
  }

  private postState(): void {
    if (!this.connection || !this.view?.visible) return;
    const run = this.trainer.run;
    const state: LabState = {
      strings: localizedLabStrings(),
      presets: [...PRESETS],
      config: run?.config ?? {},
      graph: run?.graph,
      run,
    };
    this.connection.send({ type: 'state', state });
  }
}
