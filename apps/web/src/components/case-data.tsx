import { fieldLabel, valueLabel } from '../field-labels';
import { useI18n } from '../locale';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const isPrimitive = (value: unknown) => value === null || typeof value !== 'object';

/**
 * One value of the case data, whatever its shape: enumerations' values by their titles, dates and instants in JST, yen amounts,
 * lists and nested records as nested lists. Everything is text, escaped by Preact.
 */
export function DataValue({ field, value }: { field: string; value: unknown }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return <span class="muted">{t('data.empty')}</span>;
  }
  if (typeof value === 'boolean') return <>{t(value ? 'data.yes' : 'data.no')}</>;
  if (typeof value === 'number') {
    if (/Yen$/.test(field)) return <>{t('data.yen', { amount: i18n.number(value) })}</>;
    // A year (fiscalYear: 2026) is a name, not a count: no thousands separator.
    return <>{/year$/i.test(field) ? String(value) : i18n.number(value)}</>;
  }
  if (typeof value === 'string') {
    // An enumeration's value by its title (consul-general → 総領事).
    const label = valueLabel(field, value);
    if (label) return <>{i18n.pick(label)}</>;
    if (DATE.test(value)) return <time dateTime={value}>{i18n.date(value)}</time>;
    if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return <time dateTime={value}>{i18n.dateTime(value)}</time>;
    return <span class="text">{value}</span>;
  }
  if (Array.isArray(value)) {
    return value.every(isPrimitive) ? (
      <ul class="value-list">
        {value.map((item, index) => (
          <li key={index}>
            <DataValue field={field} value={item} />
          </li>
        ))}
      </ul>
    ) : (
      <ol class="value-records">
        {value.map((item, index) => (
          <li key={index}>
            <DataValue field={field} value={item} />
          </li>
        ))}
      </ol>
    );
  }
  return <DataList data={value as Record<string, unknown>} />;
}

/** A record as a definition list: field titles (or keys) and their values. */
export function DataList({ data }: { data: Record<string, unknown> }) {
  const { pick } = useI18n();
  return (
    <dl class="data-list">
      {Object.entries(data).map(([field, value]) => (
        <div key={field}>
          <dt>{pick(fieldLabel(field))}</dt>
          <dd>
            <DataValue field={field} value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
