import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * BRIN indexes on the times by which the worker prunes old event records (EventRecordPruner):
 * sent outbox rows and consumers' idempotency records. Both tables grow in time order, so a BRIN
 * index (a few pages) finds the old part without a B-tree on the transition's insert path.
 */
export class EventRecordRetention1765200000000 implements MigrationInterface {
  name = 'EventRecordRetention1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX outbox_created_brin ON outbox USING brin (created_at)`);
    await db.query(`CREATE INDEX processed_event_processed_brin ON processed_event USING brin (processed_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX processed_event_processed_brin`);
    await db.query(`DROP INDEX outbox_created_brin`);
  }
}
