import { isDuplicateKeyError } from '../../shared/store/mongo.js';

/**
 * Concurrent writes, made safe on every MongoDB-protocol store we run on. FerretDB v1 (the local
 * and test store) runs read-modify-write operations without isolation: two conditional updates
 * of one document (findOneAndUpdate, updateOne with a status filter) may both match, and two
 * $inc may return the same number. Its unique indexes do hold. So what must happen once is
 * claimed by inserting a document under a unique key; upserts are only used where the last
 * writer may win.
 */

/** Two upserts of one new _id at once: one inserts, the other fails on the key; run again, it updates. */
export async function upsertRetrying<T>(upsert: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upsert();
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= attempts) throw error;
    }
  }
}

/** Runs the insert; true when this caller inserted, false when the unique key was taken already. */
export async function claimed(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
