/**
 * One IndexedDB object store of this browser profile (a database holding a single store), opened
 * for each transaction and closed after it, so no connection is held open between uses (an open
 * connection would block a later version upgrade in another tab). Browser only.
 *
 * @returns `transact(mode, run)`: runs one request on the store and resolves with its result;
 *   rejects with the request's or the open's DOMException (quota exceeded, storage disabled).
 */
export function indexedDbStore(databaseName: string, storeName: string, keyPath: string) {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  return async function transact<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const database = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const request = run(database.transaction(storeName, mode).objectStore(storeName));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      database.close();
    }
  };
}
