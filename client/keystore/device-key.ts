import { deviceWrapAssociatedData, vaultKeyFromBytes, type VaultKey } from "@/crypto";
import { indexedDbStore } from "@/client/indexed-db";

/**
 * The "this device" unlock method for authenticators without PRF: a non-extractable
 * AES-GCM key that lives in this browser profile's IndexedDB. Script can use it but
 * never read it out, so the wrapped vault key is useless off this device.
 */
const databaseName = "health-safe-cloud";
const storeName = "device-keys";

interface StoredDeviceKey {
  userId: string;
  deviceId: string;
  key: CryptoKey;
}

const transact = indexedDbStore(databaseName, storeName, "userId");

export async function loadDeviceKey(userId: string): Promise<StoredDeviceKey | null> {
  return (await transact<StoredDeviceKey | undefined>("readonly", (store) => store.get(userId))) ?? null;
}

export async function createDeviceKey(userId: string): Promise<StoredDeviceKey> {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const deviceId = crypto.randomUUID();
  const record = { userId, deviceId, key };
  await transact("readwrite", (store) => store.put(record));
  return record;
}

export async function forgetDeviceKey(userId: string): Promise<void> {
  await transact("readwrite", (store) => store.delete(userId));
}

/** Wraps the vault key; `iv` travels as the wrap's salt. */
export async function wrapWithDeviceKey(device: StoredDeviceKey, vaultKey: VaultKey): Promise<{ iv: Uint8Array; wrapped: Uint8Array }> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: deviceWrapAssociatedData(device) }, device.key, new Uint8Array(vaultKey));
  return { iv, wrapped: new Uint8Array(wrapped) };
}

export async function unwrapWithDeviceKey(device: StoredDeviceKey, iv: Uint8Array, wrapped: Uint8Array): Promise<VaultKey> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: new Uint8Array(iv), additionalData: deviceWrapAssociatedData(device) },
    device.key,
    new Uint8Array(wrapped),
  );
  return vaultKeyFromBytes(new Uint8Array(plain));
}
