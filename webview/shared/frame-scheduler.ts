/**
 * Coalesces redraw requests into one per animation frame: trainer increments can arrive faster
 * than the screen refreshes, and a hidden webview gets no frames at all (no wasted work).
 */
export function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}
