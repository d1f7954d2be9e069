/**
 * Splits `items` into consecutive batches whose request body `{"<key>":[...]}` (JSON, UTF-8)
 * is at most `limitBytes`, keeping their order; one batch when all fit. Throws RangeError
 * when a single item cannot fit on its own (the caller's data is too large for the route,
 * whatever the split).
 */
export function batchesWithin<T>(items: readonly T[], key: string, limitBytes: number): T[][] {
  const encoder = new TextEncoder();
  const envelope = encoder.encode(JSON.stringify({ [key]: [] })).byteLength;
  const batches: T[][] = [];
  let current: T[] = [];
  let size = envelope;
  for (const item of items) {
    const itemBytes = encoder.encode(JSON.stringify(item)).byteLength;
    if (envelope + itemBytes > limitBytes) throw new RangeError(`One item is ${itemBytes} bytes, more than a request of ${limitBytes} bytes can carry.`);
    const separator = current.length > 0 ? 1 : 0;
    if (size + separator + itemBytes > limitBytes) {
      batches.push(current);
      current = [];
      size = envelope;
    }
    size += (current.length > 0 ? 1 : 0) + itemBytes;
    current.push(item);
  }
  if (current.length > 0 || batches.length === 0) batches.push(current);
  return batches;
}
