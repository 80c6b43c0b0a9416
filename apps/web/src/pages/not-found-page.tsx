import { useDocumentTitle } from '../hooks';
import { useI18n } from '../locale';

export function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t('notFound.title'));
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <a href="/">{t('case.backToInbox')}</a>
      </p>
    </>
  );
}
