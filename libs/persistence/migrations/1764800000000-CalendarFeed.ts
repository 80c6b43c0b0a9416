import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private calendar feeds (issue 6): a feed token is an HMAC of the user id and this generation,
 * so no token is stored; rotating bumps the generation and every older URL stops working.
 */
export class CalendarFeed1764800000000 implements MigrationInterface {
  name = 'CalendarFeed1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE app_user ADD COLUMN calendar_generation integer NOT NULL DEFAULT 1`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE app_user DROP COLUMN calendar_generation`);
  }
}
