import type { ClassicLevel } from 'classic-level';

/** dynalite keeps each table's description under `table~<name>` in its LevelDB (JSON values). */
export const TABLE_PREFIX = 'table~';

/**
 * Finishes the table changes a stopped sandbox left half-done. dynalite completes CreateTable,
 * UpdateTable and DeleteTable on a timer; a sandbox killed in between saves a table that stays
 * CREATING forever (DynamoDB refuses to delete a table being created, so nothing could clear it).
 * Run on the state folder's database (`tables`: its `table~` entries) before dynalite opens it.
 * Returns the tables it repaired.
 */
export async function finishInterruptedTableChanges(
  db: ClassicLevel<string, Record<string, unknown>>,
  tables: [key: string, table: Record<string, unknown>][],
): Promise<string[]> {
  const repaired: string[] = [];
  for (const [key, table] of tables) {
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
  return repaired;
}
