import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsOptional, isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '@koryu/domain';
import { currentLocale, requireActor } from '@koryu/platform';

export class ListNotificationsQuery {
  @ApiPropertyOptional({ description: 'true: unread only' }) @IsOptional() @IsIn(['true', 'false']) unread?: 'true' | 'false';
}

export interface NotificationView {
  id: string;
  kind: string;
  caseId: string | null;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

/** The caller's in-app notifications (DOMAIN.md Notifications), in their language. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first (the latest 200), with the unread count' })
  async list(@Query() query: ListNotificationsQuery): Promise<{ items: NotificationView[]; unread: number }> {
    const { userId } = requireActor();
    const locale = currentLocale();
    const rows = await this.dataSource.query(
      `SELECT id, kind, case_id AS "caseId", title ->> $2 AS title, body ->> $2 AS body, created_at AS "createdAt", read_at AS "readAt",
              count(*) FILTER (WHERE read_at IS NULL) OVER () AS unread
         FROM notification WHERE user_id = $1 AND (NOT $3 OR read_at IS NULL) ORDER BY created_at DESC, id LIMIT 200`,
      [userId, locale, query.unread === 'true'],
    );
    const unread = rows.length > 0 ? Number(rows[0].unread) : 0;
    return { items: rows.map(({ unread: _unread, ...row }: NotificationView & { unread: string }) => row), unread };
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one of my notifications read (again is harmless); 204 (API.md)' })
  async read(@Param('id') id: string): Promise<void> {
    if (!isUUID(id)) throw new NotFoundError();
    // A SELECT over the update: TypeORM answers an UPDATE with [rows, count], a SELECT with its rows.
    const [row] = await this.dataSource.query(
      `WITH marked AS (UPDATE notification SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id) SELECT id FROM marked`,
      [id, requireActor().userId],
    );
    if (!row) throw new NotFoundError();
  }
}
