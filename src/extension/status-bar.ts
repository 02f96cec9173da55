import * as vscode from 'vscode';
import { formatDuration } from './format-time';
import type { TrainerHost } from './trainer-host';

/** While a run trains: "$(pulse) Epoch 2/5 · 1:15 left"; a click opens the lab. Hidden otherwise. */
export function createTrainingStatusBar(trainer: TrainerHost): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('autoencoderLab.training', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('Autoencoder Lab Training');
  item.command = { command: 'autoencoderLab.openLab', title: vscode.l10n.t('Open Lab') };

  const subscriptions = [
    item,
    trainer.onDidChangeTraining((training) => {
      if (training) {
        item.text = `$(loading~spin) ${vscode.l10n.t('Starting training…')}`;
        item.tooltip = vscode.l10n.t('Autoencoder Lab: training is starting. Click to open the lab.');
        item.show();
      } else {
        item.hide();
      }
    }),
    trainer.onRunEvent((event) => {
      if (!trainer.isTraining) return;
      if (event.type === 'progress') {
        const paused = trainer.run?.paused ? ` ${vscode.l10n.t('(paused)')}` : '';
        item.text = `$(pulse) ${vscode.l10n.t('Epoch {0}/{1} · {2} left', event.epoch, event.epochs, formatDuration(event.etaSeconds))}${paused}`;
        item.tooltip = vscode.l10n.t(
          'Autoencoder Lab: epoch {0} of {1}, batch {2} of {3}, {4} samples/s on {5}. Click to open the lab.',
          event.epoch,
          event.epochs,
          event.batch,
          event.batches,
          Math.round(event.samplesPerSecond),
          trainer.backend ?? '?',
        );
      } else if (event.type === 'paused') {
        item.text = `$(debug-pause) ${vscode.l10n.t('Training paused')}`;
      }
    }),
  ];
  return vscode.Disposable.from(...subscriptions);
}
