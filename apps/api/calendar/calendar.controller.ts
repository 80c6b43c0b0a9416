import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { TOKYO } from '@koryu/calendar';
import { type KoryuConfig, resolveJwtSecret } from '@koryu/config';
import { UnauthenticatedError } from '@koryu/domain';
import { KORYU_CONFIG, Public, requireActor } from '@koryu/platform';
import { invitedTo } from '@koryu/casework';

interface FeedRow {
  id: string;
  caseId: string;
  caseTitle: string;
  title: { ja: string; en: string };
  dueAt: Date;
  allDay: boolean;
  state: 'open' | 'done' | 'cancelled';
  updatedAt: Date;
}

/**
 * Each user's private iCalendar feed of the deadlines they can see (their organisation's cases,
 * and the survey deadlines of conferences their organisation is invited to). The token in the URL
 * is an HMAC of the user id and a generation, so rotating it revokes every older URL and nothing
 * secret is stored. UIDs are the deadlines' ids: calendar apps update events rather than duplicate.
 */
@ApiTags('calendar')
@Controller()
export class CalendarController {
  private readonly secret: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {
    this.secret = createHmac('sha256', resolveJwtSecret(config)).update('koryu calendar feed').digest();
  }

  @Get('me/calendar')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'My private calendar feed URL (subscribe to it in a calendar app)' })
  async mine(): Promise<{ url: string; token: string }> {
    const { userId } = requireActor();
    const [row] = await this.dataSource.query('SELECT calendar_generation AS generation FROM app_user WHERE id = $1', [userId]);
    return this.feed(userId, row.generation);
  }

  @Post('me/calendar/rotate')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A new feed URL; the old one stops working at once' })
  async rotate(): Promise<{ url: string; token: string }> {
    const { userId } = requireActor();
    const [row] = await this.dataSource.query(
      'WITH bumped AS (UPDATE app_user SET calendar_generation = calendar_generation + 1 WHERE id = $1 RETURNING calendar_generation) SELECT calendar_generation AS generation FROM bumped',
      [userId],
    );
    return this.feed(userId, row.generation);
  }

  @Get('calendar.ics')
  @Public()
  @ApiProduces('text/calendar')
  @ApiOperation({ summary: 'The deadlines the token’s user can see, as iCalendar (token from GET /me/calendar)' })
  async ics(@Res({ passthrough: true }) reply: FastifyReply, @Query('token') token?: string): Promise<string> {
    const user = await this.verify(token);
    // Set here, after the token is checked: an error keeps its JSON body and type.
    void reply.header('content-type', 'text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300');
    const locale = user.locale === 'en' ? 'en' : 'ja';
    const rows: FeedRow[] = await this.dataSource.query(
      `SELECT d.id, c.id AS "caseId", c.title AS "caseTitle", d.title, d.due_at AS "dueAt", d.all_day AS "allDay", d.state, d.updated_at AS "updatedAt"
         FROM case_deadline d JOIN workflow_case c ON c.id = d.case_id
        WHERE d.kind <> 'sla' AND d.due_at > now() - interval '180 days' AND d.due_at < now() + interval '3 years'
          AND (c.organisation_id = $1 OR (d.key = 'survey-deadline' AND ${invitedTo(1)}))
        ORDER BY d.due_at LIMIT 5000`,
      [user.organisationId],
    );
    // Timed events in UTC (unambiguous without a VTIMEZONE); all-day ones as their Tokyo date.
    const calendar = ical({ name: locale === 'ja' ? 'Koryu 期限' : 'Koryu deadlines', prodId: { company: 'Koryu', product: 'deadlines', language: locale.toUpperCase() } });
    for (const row of rows) {
      const due = DateTime.fromJSDate(new Date(row.dueAt), { zone: TOKYO });
      calendar.createEvent({
        id: `${row.id}@koryu`,
        summary: `${row.title[locale]}（${row.caseTitle}）`,
        description: `${row.caseTitle}\n${this.config.appBaseUrl}/cases/${row.caseId}`,
        url: `${this.config.appBaseUrl}/cases/${row.caseId}`,
        ...(row.allDay ? { start: due.toISODate() as string, allDay: true } : { start: due.toJSDate(), end: due.plus({ minutes: 30 }).toJSDate() }),
        status: row.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        stamp: new Date(row.updatedAt),
        lastModified: new Date(row.updatedAt),
      });
    }
    return calendar.toString();
  }

  private feed(userId: string, generation: number): { url: string; token: string } {
    const token = `${userId}.${this.mac(userId, generation)}`;
    return { token, url: `${this.config.appBaseUrl}/api/v1/calendar.ics?token=${token}` };
  }

  private mac(userId: string, generation: number): string {
    return createHmac('sha256', this.secret).update(`${userId}:${generation}`).digest('base64url');
  }

  private async verify(token: string | undefined): Promise<{ organisationId: string; locale: string }> {
    const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
    if (!match) throw new UnauthenticatedError();
    const [user] = await this.dataSource.query(
      'SELECT organisation_id AS "organisationId", locale, calendar_generation AS generation FROM app_user WHERE id = $1 AND disabled_at IS NULL',
      [match[1]],
    );
    const expected = Buffer.from(this.mac(match[1], user?.generation ?? 0));
    const given = Buffer.from(match[2]);
    if (!user || expected.length !== given.length || !timingSafeEqual(expected, given)) throw new UnauthenticatedError();
    return user;
  }
}
