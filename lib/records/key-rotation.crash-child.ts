/**
 * Run by key-rotation.db.test.ts in a process of its own (tsx, react-server conditions) with a
 * crash point armed: opens the database named in argv[2] (JSON DatabaseTarget), rotates the
 * batch in the JSON file argv[3] names (`{ownerId, rotations}`), and is killed by the crash
 * point midway. Prints "survived" if it is not.
 */
import { readFileSync } from "node:fs";
import { cryptoReady } from "@/crypto";
import { openDatabase, type DatabaseTarget } from "@/lib/db/client";
import type { RecordRotation } from "@/contract/records";
import { rotateRecordKeys } from "./key-rotation";

async function main() {
  await cryptoReady();
  const target = JSON.parse(process.argv[2]!) as DatabaseTarget;
  const { ownerId, rotations } = JSON.parse(readFileSync(process.argv[3]!, "utf8")) as { ownerId: string; rotations: RecordRotation[] };
  const handle = await openDatabase(target);
  await rotateRecordKeys(handle.db, ownerId, rotations);
  await handle.close();
  process.stdout.write("survived\n");
}

void main();
