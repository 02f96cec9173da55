import * as vscode from 'vscode';
import { formatDuration } from './format-time';
import type { RunOutcome, TrainerHost } from './trainer-host';

/**
 * A cancellable progress notification for one run: epoch, batch and time left; Cancel stops
 * the run (which then ends as `stopped`). Resolves when the run ends.
 */
export function showTrainingProgress(trainer: TrainerHost, datasetName: string, outcome: Promise<RunOutcome>): Thenable<void> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Training an autoencoder on {0}', datasetName),
      cancellable: true,
    },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => trainer.stop());
      let reported = 0;
      const events = trainer.onRunEvent((event) => {
        if (event.type === 'started') {
          progress.report({ message: vscode.l10n.t('{0} model, {1} parameters', event.graph.preset, event.graph.totalParams.toLocaleString()) });
        } else if (event.type === 'progress') {
          const done = event.epochs * event.batches > 0 ? ((event.epoch - 1) * event.batches + event.batch) / (event.epochs * event.batches) : 0;
          const percent = Math.max(0, Math.min(100, done * 100));
          progress.report({
            increment: percent - reported,
            message: vscode.l10n.t('Epoch {0}/{1}, batch {2}/{3} · {4} left', event.epoch, event.epochs, event.batch, event.batches, formatDuration(event.etaSeconds)),
          });
          reported = percent;
        } else if (event.type === 'paused') {
          progress.report({ message: vscode.l10n.t('Paused') });
        }
      });
      try {
        await outcome;
      } finally {
        cancel.dispose();
        events.dispose();
      }
    },
  );
}
