import { describe, expect, it } from "vitest";
import { chunkBodiesFor } from "./select-blob-store";

describe("chunkBodiesFor", () => {
  it("keeps bytes in the rows for the database store, in files or objects for the others", () => {
    expect(chunkBodiesFor({ kind: "database" })).toBeNull();
    expect(chunkBodiesFor({ kind: "file", dir: "/tmp/hsc-never-written" })?.kind).toBe("file");
    const s3 = chunkBodiesFor({
      kind: "s3",
      endpoint: "http://127.0.0.1:1",
      bucket: "files",
      region: "us-east-1",
      credentials: undefined,
      forcePathStyle: true,
    });
    expect(s3?.kind).toBe("s3");
  });
});
