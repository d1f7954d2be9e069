/**
 * A second denominator for the chart read (api_read_same_size_ratio): a bare route handler
 * answering a JSON body of `?bytes=N` bytes (a list of base64url strings, as the chart's
 * ciphertexts are), serialised on every request as the app's is (the strings are made once per
 * size, as the app's come ready from the database). What shipping a body of the chart page's
 * size through Next costs on this machine, without session or database.
 */
export const dynamic = "force-dynamic";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const made = new Map<number, { id: number; content: string }[]>();

function itemsOf(wanted: number) {
  const ready = made.get(wanted);
  if (ready) return ready;
  const items: { id: number; content: string }[] = [];
  let size = 2;
  for (let id = 0; size < wanted; id++) {
    const length = Math.min(2_700, wanted - size);
    let content = "";
    for (let index = 0; index < length; index++) content += alphabet[(id * 7 + index) & 63];
    items.push({ id, content });
    size += length + 24;
  }
  made.set(wanted, items);
  return items;
}

export function GET(request: Request): Response {
  const wanted = Math.min(16 * 1024 * 1024, Math.max(0, Number(new URL(request.url).searchParams.get("bytes") ?? 0) || 0));
  return Response.json({ records: itemsOf(Math.round(wanted)) });
}
