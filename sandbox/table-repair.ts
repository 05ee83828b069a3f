import { existsSync } from 'node:fs';
import { Level } from 'level';

/** dynalite keeps each table's description under `table~<name>` in its LevelDB (JSON values). */
const TABLE_PREFIX = 'table~';

/**
 * Finishes the table changes a stopped sandbox left half-done. dynalite completes CreateTable,
 * UpdateTable and DeleteTable on a timer; a sandbox killed in between saves a table that stays
 * CREATING forever (DynamoDB refuses to delete a table being created, so nothing could clear it).
 * Run on the state folder's database before dynalite opens it. Returns the tables it repaired.
 */
export async function finishInterruptedTableChanges(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const db = new Level<string, Record<string, unknown>>(path, { valueEncoding: 'json' });
  const repaired: string[] = [];
  try {
    for await (const [key, table] of db.iterator({ gte: TABLE_PREFIX, lt: `${TABLE_PREFIX}\uffff` })) {
      const status = table.TableStatus;
      if (status === 'CREATING' || status === 'UPDATING') {
        await db.put(key, { ...table, TableStatus: 'ACTIVE' });
        repaired.push(key.slice(TABLE_PREFIX.length));
      } else if (status === 'DELETING') {
        // Its items were being dropped: finish the deletion, as dynalite's own timer would have.
        await db.del(key);
        repaired.push(key.slice(TABLE_PREFIX.length));
      }
    }
  } finally {
    await db.close();
  }
  return repaired;
}
