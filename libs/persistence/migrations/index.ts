import { Foundation1764000000000 } from './1764000000000-Foundation';
import { Workflow1764100000000 } from './1764100000000-Workflow';
import { Programs1764200000000 } from './1764200000000-Programs';
import { Deadlines1764300000000 } from './1764300000000-Deadlines';
import { Reminders1764400000000 } from './1764400000000-Reminders';
import { Timers1764500000000 } from './1764500000000-Timers';
import { MailDelivery1764600000000 } from './1764600000000-MailDelivery';
import { ApprovalSla1764700000000 } from './1764700000000-ApprovalSla';
import { CalendarFeed1764800000000 } from './1764800000000-CalendarFeed';
import { MailLocks1764900000000 } from './1764900000000-MailLocks';
import { QueuedJobs1765000000000 } from './1765000000000-QueuedJobs';
import { TimerEndedVersion1765100000000 } from './1765100000000-TimerEndedVersion';
import { EventRecordRetention1765200000000 } from './1765200000000-EventRecordRetention';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [Foundation1764000000000, Workflow1764100000000, Programs1764200000000, Deadlines1764300000000, Reminders1764400000000, Timers1764500000000, MailDelivery1764600000000, ApprovalSla1764700000000, CalendarFeed1764800000000, MailLocks1764900000000, QueuedJobs1765000000000, TimerEndedVersion1765100000000, EventRecordRetention1765200000000];
export const MIGRATIONS_COUNT = MIGRATIONS.length;
