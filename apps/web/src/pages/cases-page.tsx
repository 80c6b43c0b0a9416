import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ApiError, api, queryString, type CaseQuery } from '../api';
import { StateBadge } from '../components/badges';
import { ErrorPanel } from '../components/error-panel';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { stateTitle } from '../programs';
import { useSession } from '../session';
import type { Case, CasePage } from '../types';
import { NewCaseLink } from './inbox-page';

const PAGE_SIZE = 20;

function CaseEntry({ item }: { item: Case }) {
  const i18n = useI18n();
  const { t } = i18n;
  const program = useSession().programs.get(item.program);
  return (
    <li class="card entry">
      <p class="entry-kicker">{program ? i18n.pick(program.title) : item.program}</p>
      <h2 class="entry-title">
        <a href={`/cases/${encodeURIComponent(item.id)}`}>{item.title}</a>
      </h2>
      <dl class="meta">
        <div>
          <dt>{t('field.state')}</dt>
          <dd>
            <StateBadge title={stateTitle(program, item.state, i18n)} />
          </dd>
        </div>
        {item.fiscalYearLabel && (
          <div>
            <dt>{t('field.fiscalYear')}</dt>
            <dd>{item.fiscalYearLabel}</dd>
          </div>
        )}
        <div>
          <dt>{t('field.updatedAt')}</dt>
          <dd>
            <time dateTime={item.updatedAt}>{i18n.dateTime(item.updatedAt)}</time>
          </dd>
        </div>
      </dl>
    </li>
  );
}

export function CasesPage() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { programs } = useSession();
  const { query, route } = useLocation();
  useDocumentTitle(t('cases.title'));

  // The filters live in the URL, so a filtered list can be bookmarked and the back button works.
  const applied: CaseQuery = { program: query.program, state: query.state, q: query.q };
  const [program, setProgram] = useState(applied.program ?? '');
  const [state, setState] = useState(applied.state ?? '');
  const [text, setText] = useState(applied.q ?? '');
  useEffect(() => {
    setProgram(applied.program ?? '');
    setState(applied.state ?? '');
    setText(applied.q ?? '');
  }, [applied.program, applied.state, applied.q]);

  const first = useResource((signal) => api.cases({ ...applied, pageSize: PAGE_SIZE }, signal), [applied.program, applied.state, applied.q, locale]);
  // The first page plus every page added with "more" (cursor paging: as fast deep down as on top).
  const [list, setList] = useState<CasePage>();
  useEffect(() => setList(first.data), [first.data]);
  const [moreError, setMoreError] = useState<ApiError>();
  const [loadingMore, setLoadingMore] = useState(false);
  const entries = useRef<HTMLUListElement>(null);

  async function showMore() {
    if (!list?.nextCursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.cases({ ...applied, pageSize: PAGE_SIZE, cursor: list.nextCursor });
      const shown = list.items.length;
      setList({ items: [...list.items, ...page.items], total: page.total, nextCursor: page.nextCursor });
      // The button may disappear with the last page: continue from the first new case instead.
      requestAnimationFrame(() => entries.current?.querySelector<HTMLAnchorElement>(`li:nth-child(${shown + 1}) a`)?.focus());
    } catch (caught) {
      if (caught instanceof ApiError) setMoreError(caught);
    } finally {
      setLoadingMore(false);
    }
  }

  function search(event: Event) {
    event.preventDefault();
    route(`/cases${queryString({ program, state, q: text.trim() })}`);
  }

  function clear() {
    setProgram('');
    setState('');
    setText('');
    route('/cases');
  }

  const selected = programs.get(program);
  return (
    <>
      <div class="page-head">
        <h1>{t('cases.title')}</h1>
        <NewCaseLink />
      </div>
      <form class="filters card" role="search" aria-label={t('cases.filters')} onSubmit={search}>
        <div class="field">
          <label for="filter-program">{t('cases.program')}</label>
          <select
            id="filter-program"
            value={program}
            onChange={(event) => {
              setProgram(event.currentTarget.value);
              setState('');
            }}
          >
            <option value="">{t('cases.all')}</option>
            {[...programs.values()].map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {i18n.pick(candidate.title)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-state">{t('cases.state')}</label>
          <select
            id="filter-state"
            value={state}
            disabled={!selected}
            aria-describedby={selected ? undefined : 'filter-state-hint'}
            onChange={(event) => setState(event.currentTarget.value)}
          >
            <option value="">{t('cases.all')}</option>
            {selected?.states.map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {i18n.pick(candidate.title)}
              </option>
            ))}
          </select>
          {!selected && (
            <p id="filter-state-hint" class="hint">
              {t('cases.stateHint')}
            </p>
          )}
        </div>
        <div class="field">
          <label for="filter-q">{t('cases.q')}</label>
          <input id="filter-q" type="search" value={text} onInput={(event) => setText(event.currentTarget.value)} />
        </div>
        <div class="buttons">
          <button type="submit" class="button button-primary">
            {t('cases.search')}
          </button>
          <button type="button" class="button" onClick={clear}>
            {t('cases.clear')}
          </button>
        </div>
      </form>

      <section aria-labelledby="results-heading">
        <div class="section-head">
          <h2 id="results-heading">{t('cases.results')}</h2>
          <a class="csv-link" href={api.casesCsvUrl(applied)} download>
            {t('cases.csv')}
          </a>
        </div>
        {first.error && <ErrorPanel error={first.error} onRetry={first.reload} />}
        <div role="status" class="result-status">
          {list
            ? list.items.length
              ? t('cases.count', { total: list.total, shown: list.items.length })
              : t('cases.empty')
            : first.loading
              ? t('app.loading')
              : ''}
        </div>
        {list && list.items.length > 0 && (
          <ul class="entries" ref={entries}>
            {list.items.map((item) => (
              <CaseEntry key={item.id} item={item} />
            ))}
          </ul>
        )}
        {moreError && <ErrorPanel error={moreError} onRetry={showMore} />}
        {list?.nextCursor && (
          <button type="button" class="button more" aria-busy={loadingMore} onClick={() => void showMore()}>
            {t('cases.more')}
          </button>
        )}
      </section>
    </>
  );
}
