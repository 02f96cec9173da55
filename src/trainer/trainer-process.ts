/**
 * The trainer child process (bundled to dist/trainer.js). Talks to its parent over the IPC channel
 * (process.send / 'message'), through the one MessageChannel helper; every incoming message is
 * validated (parseToTrainer) before use. Never imports vscode: it runs under plain Node too.
 *
 * Lifecycle: initBackend, then `ready`. One training run at a time; inspect / describe / generate
 * requests are answered meanwhile. After `stop` the run is finalized as stopped and the process
 * exits; after a completed or failed run it stays for more requests. SIGTERM stops a run the same
 * way (then exits). When the parent goes away (IPC disconnect) the process exits, so it is never orphaned.
 */
import type { ZodError } from 'zod';
import { DatasetError } from '../data/dataset';
import { ModelConfigError } from '../models/model-config-error';
import { MessageChannel } from '../protocol/channel';
import { parseToTrainer, type FromTrainer, type ToTrainerParsed } from '../protocol/trainer-protocol';
import { version_wasm as wasmVersion } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type PreferredBackend } from './backend';
import { describeModel } from './describe-request';
import { generateFromRun } from './generate-request';
import { inspectDataset } from './inspect-request';
import { TrainControl } from './train-control';
import { runTrainingSession } from './training-session';

type Request = Extract<ToTrainerParsed, { requestId: number }>;

if (typeof process.send !== 'function') {
  process.stderr.write('autoencoder-lab trainer: must be started by child_process.fork (no IPC channel)\n');
  process.exit(2);
}

function post(message: FromTrainer): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

/** One line a user can act on: DatasetError / ModelConfigError / our own messages as they are. */
function errorMessage(error: unknown): string {
  if (error instanceof DatasetError || error instanceof ModelConfigError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function errorReply(error: unknown, requestId?: number): FromTrainer {
  const known = error instanceof DatasetError || error instanceof ModelConfigError;
  return {
    type: 'error',
    message: errorMessage(error),
    ...(error instanceof Error && error.stack && !known ? { stack: error.stack } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  };
}

async function exitAfter(code: number, last?: FromTrainer): Promise<never> {
  // Never linger: if the parent stops reading, exit anyway.
  setTimeout(() => process.exit(code), 2000).unref();
  if (last) await post(last);
  process.exit(code);
}

process.on('uncaughtException', (error) => {
  void exitAfter(1, { type: 'error', message: `The trainer crashed: ${errorMessage(error)}`, stack: error.stack });
  process.stderr.write(`autoencoder-lab trainer: uncaught exception: ${error.stack ?? error}\n`);
});
process.on('unhandledRejection', (reason) => {
  const stack = reason instanceof Error ? reason.stack : undefined;
  process.stderr.write(`autoencoder-lab trainer: unhandled rejection: ${stack ?? String(reason)}\n`);
  void exitAfter(1, { type: 'error', message: `The trainer crashed: ${errorMessage(reason)}`, ...(stack ? { stack } : {}) });
});
process.on('disconnect', () => process.exit(0));

// Messages that arrive while the backend initializes wait here (the client sends none before
// `ready`, but a message must never be dropped silently).
let receive: ((value: unknown) => void) | undefined;
const early: unknown[] = [];
process.on('message', (value) => (receive ? receive(value) : early.push(value)));

async function main(): Promise<void> {
  const preferred = (process.env.AUTOENCODER_LAB_BACKEND || process.argv[2] || 'auto') as PreferredBackend;
  const { tf, name: backend, loadedFrom, nativeFailures } = await initBackend(['auto', 'tensorflow', 'wasm', 'cpu'].includes(preferred) ? preferred : 'auto');

  let control: TrainControl | undefined;
  let training: Promise<void> | undefined;

  // TrainerClient.dispose() sends SIGTERM, then SIGKILL after a grace period: use it to finalize
  // a running run as stopped (it ends within one batch), so it is not left looking interrupted.
  // Ctrl-C in a terminal reaches the whole process group, this child included: the parent (the CLI)
  // decides what it means (a graceful stop first), so the trainer does not die of it on its own.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => {
    if (!control) process.exit(0);
    control.stop();
    setTimeout(() => process.exit(0), 1500).unref();
  });

  const channel = new MessageChannel<ToTrainerParsed, FromTrainer>({
    post: (message) => void post(message),
    parse: parseToTrainer,
    onInvalid: (value, error) => {
      const requestId = (value as { requestId?: unknown } | null)?.requestId;
      channel.send({
        type: 'error',
        message: `Invalid message to the trainer: ${describeZodError(error)}`,
        ...(typeof requestId === 'number' && Number.isInteger(requestId) ? { requestId } : {}),
      });
    },
  });

  const answer = async (request: Request, work: () => Promise<FromTrainer>) => {
    try {
      channel.send(await work());
    } catch (error) {
      channel.send(errorReply(error, request.requestId));
    }
  };

  channel.onMessage((message) => {
    switch (message.type) {
      case 'start': {
        if (training) {
          channel.send({ type: 'error', message: 'A training run is already in progress in this trainer; stop it first.' });
          return;
        }
        const runControl = new TrainControl();
        control = runControl;
        training = runTrainingSession(message, { tf, backend, control: runControl, emit: (m) => channel.send(m) })
          .then(
            async (result) => {
              await post({
                type: 'done',
                runDir: result.runDir,
                status: result.status,
                finalLoss: result.finalLoss,
                stopReason: result.stopReason,
                ...(result.bestEpoch > 0 ? { bestEpoch: result.bestEpoch, bestValMse: result.bestValMse } : {}),
              });
              if (result.status === 'stopped') await exitAfter(0);
            },
            async (error: unknown) => {
              const runDir = (error as { runDir?: unknown }).runDir;
              await post(errorReply(error));
              if (typeof runDir === 'string') await post({ type: 'done', runDir, status: 'failed', finalLoss: null });
              // A stop that came while the run was failing still means: go away.
              if (runControl.stopped) await exitAfter(0);
            },
          )
          .finally(() => {
            training = undefined;
            control = undefined;
          });
        return;
      }
      case 'pause':
        control?.pause();
        return;
      case 'resume':
        control?.resume();
        return;
      case 'stop':
        // With a run: the loop stops within one batch, the run is finalized, then the process exits.
        if (control) control.stop();
        else void exitAfter(0);
        return;
      case 'inspect':
        void answer(message, async () => ({
          type: 'inspected',
          requestId: message.requestId,
          result: await inspectDataset(message.dataset, message.page, message.pageSize),
        }));
        return;
      case 'describe':
        void answer(message, async () => ({ type: 'described', requestId: message.requestId, ...(await describeModel(message.dataset, message.config)) }));
        return;
      case 'generate':
        void answer(message, async () => ({ type: 'generated', requestId: message.requestId, ...(await generateFromRun(tf, message)) }));
        return;
    }
  });

  await post({
    type: 'ready',
    backend,
    ...(loadedFrom ? { tfjsNode: loadedFrom } : {}),
    ...(nativeFailures.length > 0 ? { nativeFailures } : {}),
    versions: { ...tf.version, 'tfjs-backend-wasm': wasmVersion, node: process.versions.node },
    pid: process.pid,
  });
  receive = (value) => channel.receive(value);
  for (const value of early.splice(0)) receive(value);
}

function describeZodError(error: unknown): string {
  const issues = (error as ZodError | undefined)?.issues;
  if (!Array.isArray(issues)) return errorMessage(error);
  return issues.map((issue) => `${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}`).join('; ');
}

main().catch((error: unknown) => {
  process.stderr.write(`autoencoder-lab trainer: could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  void exitAfter(1, errorReply(error));
});
