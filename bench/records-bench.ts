/**
 * Suite "records" of npm run bench (alone: npm run bench -- records) — prints figures,
 * asserts nothing. Importing the International Patient Summary (fixtures/shl, copied into
 * the repository with its README and licence): plan, then pad, encrypt, sign and wrap every
 * record as the browser does, then store the batch through the server's records service.
 * Best of 5. (Large-file throughput is the "file-store" suite.)
 * Run with the react-server condition so server modules load outside Next.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cryptoReady } from "../crypto";
import { users } from "../drizzle/schema";
import { planImport } from "../client/fhir";
import { sealNewRecords } from "../client/records/records";
import { patientVault } from "../client/records/test-server";
import { createRecords } from "@/lib/records/chart-store";
import { openBenchDatabase } from "./bench-database";
import { elapsedMs as ms, reportFigure } from "./figures";

async function main() {
  await cryptoReady();
  const database = await openBenchDatabase();
  const userId = randomUUID();
  await database.db.insert(users).values({ id: userId, role: "patient" });
  const author = { ...patientVault(), userId };

  const ips = JSON.parse(readFileSync(path.resolve(__dirname, "../fixtures/shl/IPS_IG-bundle-01.json"), "utf8"));
  const importTimes: Array<{ plan: number; seal: number; store: number }> = [];
  for (let round = 0; round < 5; round++) {
    let start = process.hrtime.bigint();
    const plan = planImport(ips);
    const planMs = ms(start);
    start = process.hrtime.bigint();
    const sealed = sealNewRecords(
      plan.records.map((record) => ({ v: 1 as const, kind: record.kind, resource: record.resource })),
      author,
    );
    const sealMs = ms(start);
    start = process.hrtime.bigint();
    await createRecords(database.db, userId, sealed);
    importTimes.push({ plan: planMs, seal: sealMs, store: ms(start) });
  }
  const best = importTimes.reduce((a, b) => (a.plan + a.seal + a.store <= b.plan + b.seal + b.store ? a : b));

  console.log(`records benchmark (Node ${process.version}, ${database.kind})`);
  console.log(`IPS import, ${planImport(ips).records.length} records (best of 5): ${(best.plan + best.seal + best.store).toFixed(1)} ms total`);
  console.log(`  plan ${best.plan.toFixed(1)} ms · pad+encrypt+sign+wrap ${best.seal.toFixed(1)} ms · store ${best.store.toFixed(1)} ms`);
  reportFigure("ips_import_ms", best.plan + best.seal + best.store, { note: `${planImport(ips).records.length} records (${database.kind})` });
  await database.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
