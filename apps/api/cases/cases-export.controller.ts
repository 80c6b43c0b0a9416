import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { fiscalYearLabel, TOKYO } from '@koryu/calendar';
import { currentLocale } from '@koryu/platform';
import { type CaseView, CasesService, ListCasesQuery } from '@koryu/casework';

const HEADERS = {
  ja: ['ID', '事業', '件名', '状態', '年度', '作成日時', '更新日時', '版'],
  en: ['ID', 'Program', 'Title', 'State', 'Fiscal year', 'Created (JST)', 'Updated (JST)', 'Version'],
};

/**
 * A cell Excel would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe
 * (OWASP "CSV injection"); everything else is written verbatim.
 */
export function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller()
export class CasesExportController {
  constructor(private readonly cases: CasesService) {}

  @Get('cases.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The cases of GET /cases (same filters, every page) as UTF-8 CSV with a BOM, which Excel opens correctly' })
  exportCsv(@Query() query: ListCasesQuery): StreamableFile {
    const locale = currentLocale();
    const time = (at: Date) => DateTime.fromJSDate(new Date(at), { zone: TOKYO }).toFormat('yyyy-MM-dd HH:mm');
    const row = (c: CaseView) => {
      const def = this.cases.program(c.program);
      return [
        c.id,
        def?.title[locale] ?? c.program,
        c.title,
        def?.states.find((s) => s.key === c.state)?.title[locale] ?? c.state,
        c.fiscalYear === null ? '' : fiscalYearLabel(c.fiscalYear, locale),
        time(c.createdAt),
        time(c.updatedAt),
        String(c.version),
      ].map(defuseFormula);
    };
    const cases = this.cases;
    const csv = (records: string[][]) => stringify(records, { record_delimiter: 'windows' });
    async function* lines() {
      yield `\uFEFF${csv([HEADERS[locale]])}`;
      for await (const batch of cases.exportRows(query)) if (batch.length > 0) yield csv(batch.map(row));
    }
    return new StreamableFile(Readable.from(lines()), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="koryu-cases.csv"`,
    });
  }
}
