/** Runs `action` once, `delayMs` after the last of a burst of calls (file watchers fire in bursts). */
export function debounce(action: () => void, delayMs: number): { (): void; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  const trigger = () => {
    clearTimeout(timer);
    timer = setTimeout(action, delayMs);
  };
  trigger.dispose = () => clearTimeout(timer);
  return trigger;
}
