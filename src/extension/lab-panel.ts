import * as vscode from 'vscode';
import { INSTALL_NATIVE_BACKEND_COMMAND } from './native-backend/native-backend-commands';
import type { FromLab } from '../protocol/lab-protocol';
import { Disposable } from './dispose';
import { labIcon } from './lab-icon';
import type { LabController } from './lab-controller';
import { WebviewConnection } from './webview-connection';
import { buildWebviewHtml, webviewOptions } from './webview-html';

export const LAB_VIEW_TYPE = 'autoencoderLab.lab';

/**
 * The lab's webview panel, a notebook of cells (dataset, model, train, results). It renders: the
 * controller's state goes whole on `ready` and on every change (a hidden panel is not kept alive,
 * it reloads and asks again), the live run's events as increments; what the webview asks for goes
 * to the controller.
 */
export class LabPanel extends Disposable {
  static create(controller: LabController, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, onClosed: (panel: LabPanel) => void): LabPanel {
    const panel = vscode.window.createWebviewPanel(LAB_VIEW_TYPE, vscode.l10n.t('Autoencoder Lab'), vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      enableFindWidget: true,
    });
    return new LabPanel(panel, controller, extensionUri, log, onClosed);
  }

  /** A panel VS Code restored after a window reload. */
  static adopt(panel: vscode.WebviewPanel, controller: LabController, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, onClosed: (panel: LabPanel) => void): LabPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new LabPanel(panel, controller, extensionUri, log, onClosed);
  }

  private readonly connection: WebviewConnection;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly controller: LabController,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    onClosed: (panel: LabPanel) => void,
  ) {
    super();
    panel.iconPath = labIcon(extensionUri);
    panel.webview.html = buildWebviewHtml(panel.webview, extensionUri, 'lab', vscode.l10n.t('Autoencoder Lab'));
    this.connection = this._register(new WebviewConnection(panel.webview, log, (message) => this.handle(message)));
    this._register(controller.onDidChange(() => this.render()));
    this._register(controller.onRunEvent((event) => this.connection.send({ type: 'run', event })));
    this._register(
      panel.onDidDispose(() => {
        onClosed(this);
        this.dispose();
      }),
    );
    this._register(panel);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private render(): void {
    this.panel.title = this.controller.title;
    this.connection.send({ type: 'state', state: this.controller.state });
  }

  private handle(message: FromLab): void {
    const lab = this.controller;
    switch (message.type) {
      case 'ready':
        this.render();
        break;
      case 'installNativeBackend':
        void vscode.commands.executeCommand(INSTALL_NATIVE_BACKEND_COMMAND);
        break;
      case 'describe':
        this.connection.reply(message.requestId, lab.describe(message.config));
        break;
      case 'inspect':
        this.connection.reply(message.requestId, lab.inspect(message.page));
        break;
      case 'generate': {
        const { mode, a, b, textA, textB, steps } = message;
        this.connection.reply(message.requestId, lab.generate(mode, { a, b, textA, textB, steps }));
        break;
      }
      case 'train':
        lab.trainShown(message.config);
        break;
      case 'pause':
        lab.pause();
        break;
      case 'resume':
        lab.resume();
        break;
      case 'stop':
        lab.stop();
        break;
      case 'revealRun':
        lab.revealRun();
        break;
    }
  }
}
