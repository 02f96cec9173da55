import * as vscode from 'vscode';

/** The lab's icon for editor tabs: a dark drawing on light themes, a light one on dark themes. */
export function labIcon(extensionUri: vscode.Uri): { light: vscode.Uri; dark: vscode.Uri } {
  return {
    light: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'lab-light.svg'),
    dark: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'lab.svg'),
  };
}
