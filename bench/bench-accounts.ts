/**
 * The accounts benches start from: a patient with real vault keys and a clinician with a
 * certified key, inserted straight into the database (no passkeys: the benches measure what
 * comes after sign-up). Pure crypto and schema imports only, so a bench that must set its
 * environment before the server modules load can use it.
 */
import { randomUUID } from "node:crypto";
import { generateEncryptionKeyPair, generateIdentityKeyPair, generateVaultKey, signKeyCertificate } from "../crypto";
import { keyCertificates, users } from "../drizzle/schema";
// A type only: erased, so the server modules still load when the bench chooses.
import type { Database } from "../lib/db/client";

/**
 * Inserts a patient and a doctor. Returns their ids, the patient's vault (what
 * sealNewRecords and sealGrant take) and the doctor's encryption public key (32 bytes).
 */
export async function seedPatientAndClinician(db: Database) {
  const patientId = randomUUID();
  const doctorId = randomUUID();
  await db.insert(users).values([
    { id: patientId, role: "patient" },
    { id: doctorId, role: "doctor" },
  ]);
  const identity = generateIdentityKeyPair();
  const encryption = generateEncryptionKeyPair();
  const vault = {
    userId: patientId,
    keys: {
      identitySecretKey: identity.secretKey,
      identityPublicKey: identity.publicKey,
      encryptionSecretKey: encryption.secretKey,
      encryptionPublicKey: encryption.publicKey,
      vaultKey: generateVaultKey(),
    },
  };
  const doctorIdentity = generateIdentityKeyPair();
  const doctorEncryption = generateEncryptionKeyPair();
  await db.insert(keyCertificates).values({
    id: randomUUID(),
    userId: doctorId,
    identityPublicKey: doctorIdentity.publicKey,
    encryptionPublicKey: doctorEncryption.publicKey,
    certificate: signKeyCertificate(
      { userId: doctorId, role: "doctor", encryptionPublicKey: doctorEncryption.publicKey, createdAt: Date.now() },
      doctorIdentity.secretKey,
    ),
  });
  return { patientId, doctorId, vault, doctorEncryptionPublicKey: doctorEncryption.publicKey };
}
