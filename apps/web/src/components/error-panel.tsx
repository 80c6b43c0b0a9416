import type { ApiError } from '../api';
import { useI18n } from '../locale';

/** A failed load: the server's message (already in the UI's language) and a way to try again. */
export function ErrorPanel({ error, onRetry, standalone }: { error: ApiError; onRetry?: () => unknown; standalone?: boolean }) {
  const { t } = useI18n();
  const panel = (
    <div class="alert alert-error" role="alert">
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" class="button" onClick={() => void onRetry()}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
  if (!standalone) return panel;
  // Before the layout exists (the session could not start), the page still needs its landmarks.
  return (
    <main id="main" class="page page-narrow">
      <h1>{t('error.title')}</h1>
      {panel}
    </main>
  );
}

/** Something that is not there: a heading, why, and the way back to the inbox. */
export function NotFound({ title, body }: { title: string; body: string }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{title}</h1>
      <p>{body}</p>
      <p>
        <a href="/">{t('case.backToInbox')}</a>
      </p>
    </>
  );
}

/** A case that does not exist, or that the caller's organisation may not see (the API answers 404 for both). */
export function CaseNotFound() {
  const { t } = useI18n();
  return <NotFound title={t('case.notFound')} body={t('case.notFoundBody')} />;
}
