/**
 * The order in which a dataset's samples are shown page by page. Labelled data is interleaved by
 * class (the first sample of each class, then the second of each, …), so that the first page of an
 * image folder sorted into class sub-folders shows every class instead of 64 samples of the first.
 * Unlabelled data keeps file order.
 */
export function browseOrder(count: number, labels: ArrayLike<number> | undefined): Int32Array {
  if (!labels) return Int32Array.from({ length: count }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const members = byClass.get(labels[i]);
    if (members) members.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.values()];
  const order = new Int32Array(count);
  let next = 0;
  for (let round = 0; next < count; round++) {
    for (const members of classes) if (round < members.length) order[next++] = members[round];
  }
  return order;
}
