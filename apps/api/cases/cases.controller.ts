import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActionDto, type CaseView, CasesService, CheckActionDto, CreateCaseDto, CreateDeadlineDto, type DeadlineView, type HistoryRow, ListCasesQuery, PatchCaseDto } from '@koryu/casework';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @ApiOperation({ summary: 'Start a case of a program, in draft (shapes and types are checked; rules run on actions)' })
  create(@Body() body: CreateCaseDto): Promise<CaseView> {
    return this.cases.create(body);
  }

  @Get()
  @ApiOperation({ summary: "The caller's organisation's cases (and those it is invited to), newest first" })
  list(@Query() query: ListCasesQuery): Promise<{ items: CaseView[]; total: number; nextCursor: string | null }> {
    return this.cases.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One case with the actions the caller may take now' })
  get(@Param('id') id: string): Promise<CaseView> {
    return this.cases.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change case data at the version read (409 VERSION_CONFLICT when stale)' })
  patch(@Param('id') id: string, @Body() body: PatchCaseDto): Promise<CaseView> {
    return this.cases.patch(id, body);
  }

  @Post(':id/actions/:action')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a workflow action: 403 role, 409 state or version, 422 rule (with its code)' })
  act(@Param('id') id: string, @Param('action') action: string, @Body() body: ActionDto): Promise<CaseView> {
    return this.cases.act(id, action, body);
  }

  @Post(':id/actions/:action/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dry run of an action for forms: {allowed, code, violations} with localised messages; nothing is written' })
  check(@Param('id') id: string, @Param('action') action: string, @Body() body: CheckActionDto) {
    return this.cases.check(id, action, body);
  }

  @Post(':id/deadlines')
  @ApiOperation({ summary: 'Add a custom milestone with reminders (remindBefore: ISO-8601 durations such as P7D or PT10S)' })
  addDeadline(@Param('id') id: string, @Body() body: CreateDeadlineDto): Promise<DeadlineView> {
    return this.cases.addDeadline(id, body);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of the case, oldest first' })
  history(@Param('id') id: string): Promise<HistoryRow[]> {
    return this.cases.history(id);
  }
}
