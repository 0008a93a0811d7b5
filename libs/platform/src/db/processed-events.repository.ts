import type { EntityManager } from 'typeorm';

/** Marks an event as handled inside the caller's transaction; false when it was already handled. */
export async function markProcessed(
  manager: EntityManager,
  topic: string,
  eventId: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    'INSERT INTO processed_event (event_id, topic) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
    [eventId, topic],
  );
  return rows.length === 1;
}
