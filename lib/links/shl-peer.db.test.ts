import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { eq } from "drizzle-orm";
import { SHLInvalidPasscodeError, SHLManifestNotFoundError, SHLViewer } from "kill-the-clipboard";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, toBase64url } from "@/crypto";
import { encryptShlFile } from "@/crypto/shl-jwe";
import { encodeShlink, newShlKey } from "@/crypto/shl-link";
import { hashShlPasscode } from "@/crypto/shl-passcode";
import { shlLinks, users } from "@/drizzle/schema";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { errorResponse } from "@/lib/http/route";
import { insertLink } from "./link-store";
import { directFile, manifest, type Caller } from "./public-link-service";

// The blind service behind a loopback HTTP server, opened by kill-the-clipboard's SHLViewer
// with Node's fetch: the peer's view of what the route handlers do (e2e/shl-peer.spec.ts runs
// the same against the real app), here with links expired and disabled in the database.
const bundle = JSON.parse(readFileSync(path.join(process.cwd(), "fixtures", "shl", "IPS_IG-bundle-01.json"), "utf8")) as object;

describe.each(testDatabaseKinds())("kill-the-clipboard against the blind link service on %s", (kind) => {
  let database: TestDatabase;
  let server: Server;
  let base: string;
  let owner: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    owner = randomUUID();
    await database.db.insert(users).values({ id: owner, role: "patient" });
    const caller: Caller = { db: database.db, blobs: databaseBlobStore(database.db), address: "192.0.2.10" };
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const url = new URL(request.url!, base);
        const shlId = url.pathname.split("/").at(-1)!;
        const answer = async (): Promise<Response> => {
          try {
            if (request.method === "GET") return await directFile(caller, shlId, url.searchParams.get("recipient") ?? "");
            const value = await manifest(caller, shlId, JSON.parse(Buffer.concat(chunks).toString("utf8")));
            return value instanceof Response ? value : Response.json(value);
          } catch (error) {
            return errorResponse(error, new Request(url));
          }
        };
        void answer().then(async (result) => {
          response.writeHead(result.status, Object.fromEntries(result.headers));
          response.end(Buffer.from(await result.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await database?.dispose();
  });

  async function link(flag: "U" | "P", passcode?: string) {
    const key = newShlKey();
    const shlId = toBase64url(randomBytes(32));
    const jwe = await encryptShlFile(JSON.stringify(bundle), key, "application/fhir+json");
    const row = await insertLink(
      database.db,
      databaseBlobStore(database.db),
      owner,
      {
        id: randomUUID(),
        shlId,
        flag,
        passcodeHash: passcode ? hashShlPasscode(passcode) : null,
        attempts: 10,
        expiresAt: new Date(Date.now() + 3600_000),
        contentType: "application/fhir+json",
        jwe: new TextEncoder().encode(jwe),
        sealedLabel: randomBytes(40),
      },
      { quotaBytes: 1024 ** 4, unfinishedUploadsMax: 100 },
    );
    return { id: row.id, shlink: encodeShlink({ url: `${base}/api/shl/${shlId}`, flag, key, label: "Peer test" }) };
  }

  it("opens U and P links, and fails with not-found once they have expired", async () => {
    const u = await link("U");
    const p = await link("P", "river-stone");
    expect((await new SHLViewer({ shlinkURI: u.shlink }).resolveSHL({ recipient: "Peer" })).fhirResources).toEqual([bundle]);
    const opened = await new SHLViewer({ shlinkURI: p.shlink }).resolveSHL({ recipient: "Peer", passcode: "river-stone", embeddedLengthMax: 1e9 });
    expect(opened.fhirResources).toEqual([bundle]);

    await database.db.update(shlLinks).set({ expiresAt: new Date(Date.now() - 1000) });
    await expect(new SHLViewer({ shlinkURI: u.shlink }).resolveSHL({ recipient: "Peer" })).rejects.toThrow(/not found/i);
    await expect(new SHLViewer({ shlinkURI: p.shlink }).resolveSHL({ recipient: "Peer", passcode: "river-stone" })).rejects.toBeInstanceOf(
      SHLManifestNotFoundError,
    );
  });

  it("a wrong passcode is the peer's invalid-passcode error until the tenth, then the link is not found", async () => {
    const p = await link("P", "river-stone");
    for (let attempt = 1; attempt <= 10; attempt++) {
      await expect(new SHLViewer({ shlinkURI: p.shlink }).resolveSHL({ recipient: "Guesser", passcode: `guess-${attempt}` })).rejects.toBeInstanceOf(
        SHLInvalidPasscodeError,
      );
    }
    const [row] = await database.db.select().from(shlLinks).where(eq(shlLinks.id, p.id));
    expect(row).toMatchObject({ remainingAttempts: 0, blobId: null });
    await expect(new SHLViewer({ shlinkURI: p.shlink }).resolveSHL({ recipient: "Guesser", passcode: "river-stone" })).rejects.toBeInstanceOf(
      SHLManifestNotFoundError,
    );
  }, 120_000);
});
