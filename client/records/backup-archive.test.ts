import { describe, expect, it } from "vitest";
import { ArchiveWriter, blobSink, readArchive } from "./backup-archive";

/** Each central directory entry's fields that unzip tools read to decide a name's encoding and a file's mode (APPNOTE.TXT 4.3.12). */
function centralEntries(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries: Array<{ name: string; madeByHost: number; utf8: boolean; unixMode: number }> = [];
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (view.getUint32(offset, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(offset + 28, true);
    entries.push({
      name: new TextDecoder().decode(zip.subarray(offset + 46, offset + 46 + nameLength)),
      madeByHost: view.getUint16(offset + 4, true) >> 8,
      utf8: (view.getUint16(offset + 8, true) & 0x800) !== 0,
      unixMode: view.getUint32(offset + 38, true) >>> 16,
    });
  }
  return entries;
}

describe("the ZIP the backup writes", () => {
  it("names its entries so that unzip tools read UTF-8 names as UTF-8, and extract readable files", async () => {
    // Info-ZIP's unzip reads the names of entries made on MS-DOS (host 0) in the DOS code page
    // whatever the UTF-8 flag says: "é 膝" came out as "+� ���".
    const sink = blobSink();
    const writer = new ArchiveWriter(sink);
    const names = ["files/001-Knee scan é 膝 report.pdf", "README.txt"];
    for (const name of names) await writer.add(name, `contents of ${name}`, new Date("2026-12-01T10:00:00Z"));
    await writer.finish();
    const zip = new Uint8Array(await sink.blob().arrayBuffer());

    const entries = centralEntries(zip);
    expect(entries.map((entry) => entry.name)).toEqual(names);
    for (const entry of entries) {
      expect(entry.madeByHost).toBe(3); // Unix
      expect(entry.utf8).toBe(/[^\x20-\x7e]/.test(entry.name)); // flagged where the name is not ASCII
      expect(entry.unixMode).toBe(0o100644); // a regular file, readable by all, writable by its owner
    }
    const read = await readArchive(new Blob([zip]));
    expect(await read.get(names[0]!)!.text()).toBe(`contents of ${names[0]}`);
  });
});
