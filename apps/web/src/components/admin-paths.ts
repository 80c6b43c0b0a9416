/**
 * Where the administration pages live. Not `/admin/…`: the server keeps `/admin` for itself (the
 * queue dashboard at /admin/queues; apps/api/web-ui.ts's NOT_PAGES), so a reload or a link there
 * would answer 404 rather than the page.
 */
export const ADMIN_BASE = '/administration';

export const ADMIN_PATHS = {
  index: ADMIN_BASE,
  users: `${ADMIN_BASE}/users`,
  organisations: `${ADMIN_BASE}/organisations`,
  calls: `${ADMIN_BASE}/calls`,
  policy: `${ADMIN_BASE}/policy`,
} as const;
