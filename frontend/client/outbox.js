// The events outbox, in IndexedDB: each engagement event is stored with its UUID the moment it happens and
// stays until the server has answered for it, across reloads, offline periods and closed tabs.
// One object store, keyed by event_id; localStorage only remembers which account the queue belongs to.

const DB_NAME = "eleasud";
const STORE = "outbox";
let opening = null;

function database() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "event_id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

const changed = () => window.dispatchEvent(new Event("eleasud:outbox"));

export async function add(event) {
  await run("readwrite", (store) => store.put(event));
  changed();
}

/** Every queued event, oldest first (by when it happened). */
export async function all() {
  const events = (await run("readonly", (store) => store.getAll())) || [];
  return events.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
}

export async function remove(eventIds) {
  if (!eventIds.length) return;
  await run("readwrite", (store) => {
    eventIds.forEach((id) => store.delete(id));
  });
  changed();
}

export async function clear() {
  await run("readwrite", (store) => store.clear());
  changed();
}

export const count = () => run("readonly", (store) => store.count());
