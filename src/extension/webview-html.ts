import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewDocument } from './webview-document';
import type { WebviewApp } from './webview-document';

export type { WebviewApp } from './webview-document';

/** Only the built webview code and media/ may be loaded by a webview. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The HTML for one of the webviews, with a fresh crypto-random nonce each time. */
export function buildWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, app: WebviewApp, title: string): string {
  return webviewDocument({
    app,
    title,
    language: vscode.env.language,
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('base64'),
    asset: (path) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path.split('/'))).toString(),
  });
}
