import { translate } from './i18n';
import type { CalendarFeed, Colleague, Deadline, NewDeadline } from './types';
import type { NewJicaCall, NewOrganisation, NewUser, Organisation, OrganisationPolicy, User, UserChanges } from './types';
import type {
  AppNotification,
  Case,
  CasePage,
  CheckResult,
  HistoryEntry,
  InboxItem,
  JicaCall,
  Locale,
  LoginResponse,
  Me,
  NotificationList,
  Program,
  ProgramForm,
  Survey,
  SurveyAnswer,
  SurveyResponse,
  Violation,
} from './types';

/** An error answer of the API (`{statusCode, code, message, violations}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly violations: Violation[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The UI's language, sent as Accept-Language so the server answers messages and titles in it.
let locale: Locale = 'ja';
export function setRequestLocale(next: Locale): void {
  locale = next;
}

// Set by the signed-in part of the app: a 401 there means the session has ended.
let onUnauthorized: (() => void) | undefined;
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

/** The double-submit CSRF token: `__Host-koryu_csrf` in production, `koryu_csrf` on http://localhost. */
function csrfToken(): string | undefined {
  for (const cookie of document.cookie.split(';')) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === '__Host-koryu_csrf' || name === 'koryu_csrf') return decodeURIComponent(value.join('='));
  }
  return undefined;
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** The login itself answers 401 for a wrong password: that is no expired session. */
  anonymous?: boolean;
}

async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': locale };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK_ERROR', translate(locale, 'error.network'));
  }
  if (response.status === 401 && !options.anonymous) onUnauthorized?.();
  if (!response.ok) throw await errorOf(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: string; message?: string; violations?: Violation[] };
    return new ApiError(response.status, body.code ?? 'UNKNOWN', body.message ?? translate(locale, 'error.unexpected'), body.violations ?? []);
  } catch {
    // Not the API's JSON (a proxy's error page, say).
    return new ApiError(response.status, 'UNKNOWN', translate(locale, 'error.unexpected'));
  }
}

export interface CaseQuery {
  program?: string;
  state?: string;
  q?: string;
  cursor?: string;
  pageSize?: number;
}

/** Builds `?a=1&b=2` from the values that are set. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const segment = encodeURIComponent;

export const api = {
  login: (email: string, password: string) => request<LoginResponse>('POST', '/auth/login', { body: { email, password }, anonymous: true }),
  logout: () => request<void>('POST', '/auth/logout'),
  me: (signal?: AbortSignal) => request<Me>('GET', '/me', { signal }),
  programs: (signal?: AbortSignal) => request<Program[]>('GET', '/programs', { signal }),
  inbox: (signal?: AbortSignal) => request<{ items: InboxItem[] }>('GET', '/inbox', { signal }),
  cases: (query: CaseQuery, signal?: AbortSignal) => request<CasePage>('GET', `/cases${queryString({ ...query })}`, { signal }),
  casesCsvUrl: (query: CaseQuery) => `/api/v1/cases.csv${queryString({ ...query })}`,
  case: (caseId: string, signal?: AbortSignal) => request<Case>('GET', `/cases/${segment(caseId)}`, { signal }),
  history: (caseId: string, signal?: AbortSignal) => request<HistoryEntry[]>('GET', `/cases/${segment(caseId)}/history`, { signal }),
  /** A custom deadline (staff and managers of the owning organisation, before a final state): 201. */
  addDeadline: (caseId: string, body: NewDeadline) => request<Deadline>('POST', `/cases/${segment(caseId)}/deadlines`, { body }),
  colleagues: (signal?: AbortSignal) => request<Colleague[]>('GET', '/me/colleagues', { signal }),
  /** The caller's private calendar feed; rotating revokes every older URL at once. */
  calendar: (signal?: AbortSignal) => request<CalendarFeed>('GET', '/me/calendar', { signal }),
  rotateCalendar: () => request<CalendarFeed>('POST', '/me/calendar/rotate'),
  takeAction: (caseId: string, action: string, body: { version: number; comment?: string }) =>
    request<Case>('POST', `/cases/${segment(caseId)}/actions/${segment(action)}`, { body }),
  /** A dry run of the action's rules; `data` (the form as typed so far) is merged into the case's for it. */
  checkAction: (caseId: string, action: string, signal?: AbortSignal, data?: Record<string, unknown>) =>
    request<CheckResult>('POST', `/cases/${segment(caseId)}/actions/${segment(action)}/check`, { body: data ? { data } : {}, signal }),
  programForm: (key: string, signal?: AbortSignal) => request<ProgramForm>('GET', `/programs/${segment(key)}/form`, { signal }),
  createCase: (program: string, data: Record<string, unknown>) => request<Case>('POST', '/cases', { body: { program, data } }),
  /** Merged into the case's data field by field (a `null` clears one); 409 VERSION_CONFLICT when `version` is stale. */
  updateCase: (caseId: string, body: { data: Record<string, unknown>; version: number }) => request<Case>('PATCH', `/cases/${segment(caseId)}`, { body }),
  survey: (caseId: string, signal?: AbortSignal) => request<Survey>('GET', `/cases/${segment(caseId)}/survey`, { signal }),
  /** The caller's organisation's answer (again to change it); 409 SURVEY_CLOSED once the survey has closed. */
  answerSurvey: (caseId: string, answer: SurveyAnswer) => request<SurveyResponse>('PUT', `/cases/${segment(caseId)}/survey/response`, { body: answer }),
  calls: (query: { scheme?: string; open?: boolean }, signal?: AbortSignal) =>
    request<JicaCall[]>('GET', `/calls${queryString({ scheme: query.scheme, open: query.open === undefined ? undefined : String(query.open) })}`, { signal }),
  notifications: (options: { unreadOnly?: boolean; signal?: AbortSignal } = {}) =>
    request<NotificationList>('GET', `/notifications${options.unreadOnly ? '?unread=true' : ''}`, { signal: options.signal }),
  markRead: (notification: AppNotification) => request<void>('POST', `/notifications/${segment(notification.id)}/read`),
  // Administration: admins (the system operator for organisations and calls; everyone reads calls).
  organisations: (signal?: AbortSignal) => request<Organisation[]>('GET', '/organisations', { signal }),
  createOrganisation: (body: NewOrganisation) => request<Organisation>('POST', '/organisations', { body }),
  users: (organisationId: string | undefined, signal?: AbortSignal) => request<User[]>('GET', `/users${queryString({ organisationId })}`, { signal }),
  createUser: (body: NewUser) => request<User>('POST', '/users', { body }),
  // The API answers this PATCH with `[user]` for now (TypeORM's UPDATE … RETURNING); either shape is taken.
  updateUser: (userId: string, body: UserChanges) => request<User>('PATCH', `/users/${segment(userId)}`, { body }),
  createCall: (body: NewJicaCall) => request<JicaCall>('POST', '/calls', { body }),
  policy: (organisationId: string, signal?: AbortSignal) => request<OrganisationPolicy>('GET', `/organisations/${segment(organisationId)}/policy`, { signal }),
  setPolicy: (organisationId: string, body: OrganisationPolicy) => request<OrganisationPolicy>('PUT', `/organisations/${segment(organisationId)}/policy`, { body }),
};
