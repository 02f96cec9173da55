import * as vscode from 'vscode';
import { TFJS_NODE_LOCATION_ENV } from '../../trainer/tfjs-node-location';
import { gpuPossible, installNativeBackend, installedNativeBackend, removeNativeBackend, type NativeVariant } from './native-backend-install';

export const INSTALL_NATIVE_BACKEND_COMMAND = 'autoencoderLab.installNativeBackend';

export interface NativeBackendContext {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** Replaces an idle trainer on next use, so it picks up the backend just installed or removed. */
  backendChanged(): void;
}

/**
 * The native TensorFlow backend for users of the packaged extension: the Install and Remove
 * commands, and at activation the trainer is pointed at an installed one. Trainer children inherit
 * the extension host's environment, so AUTOENCODER_LAB_TFJS_NODE (a name of this extension's own)
 * reaches them without any change to how they are started.
 */
export function registerNativeBackend({ context, log, backendChanged }: NativeBackendContext): vscode.Disposable {
  const folder = vscode.Uri.joinPath(context.globalStorageUri, 'native-backend').fsPath;
  const trainerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath;
  const dependencies = (context.extension.packageJSON as { dependencies?: Record<string, string> }).dependencies ?? {};
  const version = dependencies['@tensorflow/tfjs'] ?? '4.22.0';

  void installedNativeBackend(folder).then((installed) => {
    if (!installed) return;
    process.env[TFJS_NODE_LOCATION_ENV] = folder;
    log.info(`Native TensorFlow backend: ${installed.packageDir} (${installed.variant} ${installed.version})`);
  });

  const install = vscode.commands.registerCommand('autoencoderLab.installNativeBackend', async () => {
    const variant = await chooseVariant();
    if (!variant) return;
    log.show(true);
    try {
      const installed = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Installing the native TensorFlow backend'), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return installNativeBackend({
            folder,
            version,
            variant,
            trainerScript,
            signal: abort.signal,
            log: (line) => {
              log.info(line);
              progress.report({ message: line.length > 80 ? `${line.slice(0, 77)}…` : line });
            },
          });
        },
      );
      process.env[TFJS_NODE_LOCATION_ENV] = folder;
      backendChanged();
      void vscode.window.showInformationMessage(vscode.l10n.t('The native TensorFlow backend is installed: the next run trains on it.'));
      return installed.packageDir;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.error(`Native TensorFlow backend not installed: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The native TensorFlow backend could not be installed: {0} Training goes on with WebAssembly.', reason));
      return undefined;
    }
  });

  const remove = vscode.commands.registerCommand('autoencoderLab.removeNativeBackend', async () => {
    delete process.env[TFJS_NODE_LOCATION_ENV];
    backendChanged();
    await removeNativeBackend(folder);
    log.info(`Native TensorFlow backend removed from ${folder}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('The native TensorFlow backend was removed: runs train on WebAssembly.'));
  });

  return vscode.Disposable.from(install, remove);
}

/** CPU, or on Linux with an NVIDIA driver the choice of the CUDA build. */
async function chooseVariant(): Promise<NativeVariant | undefined> {
  if (!gpuPossible()) return 'tfjs-node';
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('CPU'), variant: 'tfjs-node' as const },
      { label: vscode.l10n.t('GPU (CUDA, Linux)'), description: vscode.l10n.t('needs CUDA and cuDNN installed'), variant: 'tfjs-node-gpu' as const },
    ],
    { title: vscode.l10n.t('Install the native TensorFlow backend') },
  );
  return picked?.variant;
}
