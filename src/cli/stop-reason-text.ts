import type { StopReason } from '../protocol/trainer-protocol';

/** Why a run stopped, in the words of the CLI and the report. */
export function describeStopReason(reason: StopReason, patience?: number): string {
  switch (reason) {
    case 'patience':
      return patience ? `no improvement for ${patience} epochs` : 'it stopped improving on held-out samples';
    case 'time':
      return 'time limit reached';
    case 'epochs':
      return 'epoch limit reached';
    case 'user':
      return 'stopped by the user';
  }
}
