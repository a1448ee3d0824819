// IndexedDB for the field page: the cached task bundle, the records filled on the phone and
// their photos (as Blobs with the SHA-256 computed here). Everything is written at once, so
// closing the page or restarting the phone loses nothing.
"use strict";
(function () {
  const NAME = "wurao-field";
  const VERSION = 1;
  let opened = null;

  function open() {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("meta");
        db.createObjectStore("records", { keyPath: "task_id" });
        const files = db.createObjectStore("files", { keyPath: "client_id" });
        files.createIndex("task_id", "task_id");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return opened;
  }

  function run(store, mode, fn) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    }));
  }

  window.fieldDb = {
    get: (store, key) => run(store, "readonly", (s) => s.get(key)),
    put: (store, value, key) => run(store, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key))),
    del: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
    all: (store) => run(store, "readonly", (s) => s.getAll()),
    filesOf: (taskId) => run("files", "readonly", (s) => s.index("task_id").getAll(taskId)),
  };
})();
