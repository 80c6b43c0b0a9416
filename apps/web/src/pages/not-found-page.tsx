import { NotFound } from '../components/error-panel';
import { useDocumentTitle } from '../hooks';
import { useI18n } from '../locale';

export function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t('notFound.title'));
  return <NotFound title={t('notFound.title')} body={t('notFound.body')} />;
}
