// `npm start`'s helper extension (installed beside Autoencoder Lab by scripts/start.mjs, never
// shipped): when the sample workspace has opened, it opens the lab on the Fashion-MNIST sample
// through the product's own command. The product itself reads no request file in any workspace.
/* global require, exports */
/* eslint-disable @typescript-eslint/no-require-imports */
const vscode = require('vscode');

const SAMPLE = 'fashion-mnist/train-images-idx3-ubyte.gz';

exports.activate = function activate() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  void vscode.commands.executeCommand('autoencoderLab.openLab', vscode.Uri.joinPath(folder.uri, SAMPLE));
};

exports.deactivate = function deactivate() {};
