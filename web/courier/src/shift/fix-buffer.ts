// Every recorded fix lives in IndexedDB until a zone acknowledges it, so a
// dead zone, a crash or a closed app loses nothing. The sequence number is
// taken in the same transaction as the fix is stored, so two fixes can never
// share one; it starts from the clock the first time (and after a reinstall),
// which keeps it above anything this courier sent before, since the zone
// refuses a seq lower than the last one it accepted. One database per courier
// account, so a shared phone never uploads one courier's route as another's.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { Fix } from "../../../../domain/dispatch/fix.ts";

/** At one fix a second that is over an hour offline; older fixes are dropped first beyond it. */
export const MAX_BUFFERED_FIXES = 5_000;

interface BufferSchema extends DBSchema {
  fixes: { key: number; value: Fix };
  meta: { key: string; value: string | number };
}

export type NewFix = Omit<Fix, "seq">;

export class FixBuffer {
  private constructor(private readonly db: IDBPDatabase<BufferSchema>) {}

  static async open(userId: string): Promise<FixBuffer> {
    const db = await openDB<BufferSchema>(`courier-fixes-${userId}`, 1, {
      upgrade(database) {
        database.createObjectStore("fixes", { keyPath: "seq" });
        database.createObjectStore("meta");
      },
    });
    return new FixBuffer(db);
  }

  /** Stores a fix with the next sequence number, atomically. */
  async append(fix: NewFix): Promise<Fix> {
    const tx = this.db.transaction(["fixes", "meta"], "readwrite");
    const meta = tx.objectStore("meta");
    const stored = await meta.get("nextSeq");
    const seq = typeof stored === "number" ? stored : Date.now();
    const full: Fix = { ...fix, seq };
    await tx.objectStore("fixes").put(full);
    await meta.put(seq + 1, "nextSeq");
    const fixes = tx.objectStore("fixes");
    const count = await fixes.count();
    if (count > MAX_BUFFERED_FIXES) {
      let cursor = await fixes.openCursor();
      for (let extra = count - MAX_BUFFERED_FIXES; cursor && extra > 0; extra--) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
    }
    await tx.done;
    return full;
  }

  /** The oldest unacknowledged fixes, in seq order. */
  oldest(limit: number): Promise<Fix[]> {
    return this.db.getAll("fixes", undefined, limit);
  }

  /** The oldest fixes after `seq` (already sent, not yet acknowledged), in seq order. */
  after(seq: number, limit: number): Promise<Fix[]> {
    return this.db.getAll("fixes", IDBKeyRange.lowerBound(seq, true), limit);
  }

  /** The zone acknowledged everything up to `seq` (accepted or refused): those never need sending again. */
  async acknowledge(seq: number): Promise<void> {
    await this.db.delete("fixes", IDBKeyRange.upperBound(seq));
  }

  count(): Promise<number> {
    return this.db.count("fixes");
  }

  async meta(key: string): Promise<string | number | undefined> {
    return this.db.get("meta", key);
  }

  async setMeta(key: string, value: string | number): Promise<void> {
    await this.db.put("meta", value, key);
  }

  close(): void {
    this.db.close();
  }
}
