/** Shapes of the API's responses (API.md), as far as the web UI reads them. */

export type Locale = 'ja' | 'en';

/** A title the server gives in both languages. */
export interface Localized {
  ja: string;
  en: string;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: string[];
  locale: Locale;
  organisation: { id: string; name: string; kind: string };
}

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: Me;
}

export interface ProgramState {
  key: string;
  title: Localized;
  terminal: boolean;
}

export interface ProgramAction {
  key: string;
  title: Localized;
  from: string[];
  to: string;
  /** `system` means a timer takes the action. */
  roles: string[];
  /** true, or the roles that must comment. */
  commentRequired: boolean | string[];
}

export interface Program {
  key: string;
  version: number;
  title: Localized;
  states: ProgramState[];
  actions: ProgramAction[];
  /** The organisation kinds (prefecture, municipality, association) that may start a case of it. */
  ownerKinds?: string[];
}

/** The JSON Schema (draft-07 subset, no `$ref`) of a program's form, as `GET /programs/:key/form` gives it. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | number)[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** Alternatives (a date or a timestamp, say). */
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/** Who may edit which fields in which states (`fields: '*'` for all). */
export interface EditableRule {
  states: string[];
  roles: string[];
  fields: string[] | '*';
}

export interface ProgramForm {
  key: string;
  version: number;
  /** The field that picks the form (JICA's `scheme`) and its options; null when there is one form. */
  variants: { field: string; options: string[] } | null;
  /** `default`, or one complete form per variant option. */
  schemas: Record<string, JsonSchema>;
  editable: EditableRule[];
}

/** A JICA call (公募) a call-based application is made in. */
export interface JicaCall {
  id: string;
  scheme: string;
  schemeTitle?: string;
  fiscalYear: number;
  fiscalYearLabel?: string;
  round: number;
  opensAt: string;
  closesAt: string;
  open?: boolean;
}

export interface InboxItem {
  kind: 'case' | 'survey-response';
  caseId: string;
  program: string;
  programTitle: string;
  title: string;
  state: string;
  stateTitle: string;
  actions: string[];
  /** The nearest open deadline (or an invitee's survey deadline), and what is due then. */
  dueAt: string | null;
  dueTitle: string | null;
  updatedAt: string;
}

export type DeadlineStatus = 'upcoming' | 'due' | 'overdue' | 'done' | 'cancelled';

export interface Deadline {
  id: string;
  key: string;
  title: string;
  dueAt: string;
  /** Due at 23:59:59 JST of its date: shown as a day, without a time. */
  allDay: boolean;
  status: DeadlineStatus;
  remindBefore: string[];
}

/** `POST /cases/:id/deadlines`: `dueAt` a day (YYYY-MM-DD, all day) or an instant with an offset. */
export interface NewDeadline {
  title: string;
  dueAt: string;
  /** ISO-8601 durations before the due time (`P7D`, `PT1H`). */
  remindBefore?: string[];
  /** Colleagues who get the reminders too (besides the case's creator and whoever sets it). */
  notify?: string[];
}

/** `GET /me/colleagues`: an active user of the caller's organisation other than the caller. */
export interface Colleague {
  id: string;
  name: string;
  roles: Role[];
}

/** `GET /me/calendar`: the caller's private iCalendar feed. */
export interface CalendarFeed {
  url: string;
  token: string;
}

export interface Case {
  id: string;
  program: string;
  programVersion: number;
  organisationId: string;
  title: string;
  state: string;
  data: Record<string, unknown>;
  version: number;
  fiscalYear: number | null;
  fiscalYearLabel: string | null;
  createdAt: string;
  updatedAt: string;
  allowedActions: string[];
  deadlines: Deadline[];
}

export interface CasePage {
  items: Case[];
  total: number;
  nextCursor?: string | null;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface HistoryEntry {
  at: string;
  actor: { kind: 'user' | 'system'; id: string | null; name: string | null };
  action: string;
  from: string | null;
  to: string;
  comment: string | null;
  changes: FieldChange[];
  override: { reason: string; rules: string[] } | null;
}

export interface Violation {
  field: string;
  code: string;
  message: string;
}

export interface CheckResult {
  allowed: boolean;
  code: string | null;
  message: string | null;
  violations: Violation[];
}

export interface AppNotification {
  id: string;
  kind: string;
  caseId: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationList {
  items: AppNotification[];
  unread: number;
}

export type SurveyStatus = 'pending' | 'attending' | 'declining' | 'no-response';
export type AttendeeLevel = 'governor' | 'vice-governor' | 'staff';

/** One invited organisation's answer to a governor conference's participation survey. */
export interface SurveyResponse {
  organisationId: string;
  organisationName: string;
  status: SurveyStatus;
  attendeeLevel: AttendeeLevel | null;
  delegationSize: number | null;
  joinsPromotion: boolean | null;
  answeredAt: string | null;
}

export interface SurveySummary {
  invited: number;
  attending: number;
  declining: number;
  pending: number;
  noResponse: number;
  /** The delegations of the attending organisations, summed. */
  delegates: number;
}

/** `GET /cases/:id/survey`: the secretariat gets every response and the summary, an invitee its own response only. */
export interface Survey {
  caseId: string;
  open: boolean;
  deadline: string | null;
  responses: SurveyResponse[];
  summary?: SurveySummary;
}

/** `PUT /cases/:id/survey/response`: the level, size and promotion are required when attending. */
export interface SurveyAnswer {
  attendance: 'attending' | 'declining';
  attendeeLevel?: AttendeeLevel;
  delegationSize?: number;
  joinsPromotion?: boolean;
}

// Administration (GET/POST /organisations, /users, /calls; /organisations/:id/policy).
export type Role = 'staff' | 'manager' | 'admin';
export type PublicOrganisationKind = 'prefecture' | 'municipality' | 'association';

export interface Organisation {
  id: string;
  name: string;
  /** `operator` only for the system operator's own organisation. */
  kind: PublicOrganisationKind | 'operator';
  code: string;
  createdAt: string;
}

export interface NewOrganisation {
  name: string;
  kind: PublicOrganisationKind;
  code: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: Role[];
  locale: Locale;
  disabled: boolean;
  createdAt: string;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  organisationId: string;
  roles: Role[];
  locale: Locale;
}

/** `PATCH /users/:id`: only what is given changes; disabling ends the user's sessions at once. */
export interface UserChanges {
  name?: string;
  roles?: Role[];
  locale?: Locale;
  disabled?: boolean;
  /** A new password (at least 12 characters): ends all the user's sessions. */
  password?: string;
}

export interface NewJicaCall {
  scheme: string;
  fiscalYear: number;
  round: number;
  /** ISO 8601 with an offset (`2026-04-01T00:00:00+09:00`). */
  opensAt: string;
  closesAt: string;
}

export interface OrganisationPolicy {
  /** Days between today and the preferred start of an ambassador-visit request (0–365). */
  visitLeadTimeDays: number;
}
