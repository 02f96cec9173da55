import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { MessageChannel } from '../protocol/channel';
import { parseFromLab, type FromLab, type ToLab } from '../protocol/lab-protocol';

/**
 * The host end of a webview's channel: every incoming message is validated with parseFromLab
 * (a malformed one is logged and dropped), replies carry a result or an error.
 */
export class WebviewConnection extends Disposable {
  private readonly channel: MessageChannel<FromLab, ToLab>;

  constructor(
    private readonly webview: vscode.Webview,
    log: vscode.LogOutputChannel,
    handle: (message: FromLab) => void,
  ) {
    super();
    this.channel = new MessageChannel<FromLab, ToLab>({
      // A closed webview cannot be posted to; whatever was in flight for it is moot.
      post: (message) => {
        if (this.isDisposed) return;
        this.webview.postMessage(message).then(undefined, () => undefined);
      },
      parse: parseFromLab,
      onInvalid: (value, error) => log.warn(`Dropped a malformed webview message ${JSON.stringify(value)?.slice(0, 200)}: ${String(error)}`),
    });
    this._register(webview.onDidReceiveMessage((value: unknown) => this.channel.receive(value)));
    this._register({ dispose: () => this.channel.close(new Error('The webview was closed.')) });
    this.channel.onMessage(handle);
  }

  send(message: ToLab): void {
    this.channel.send(message);
  }

  /** Answers a webview request: the promise's value as `result`, its failure as `error`. */
  reply(requestId: number, work: Promise<unknown>): void {
    work.then(
      (result) => this.send({ type: 'reply', requestId, result }),
      (error: unknown) => this.send({ type: 'reply', requestId, error: error instanceof Error ? error.message : String(error) }),
    );
  }
}
