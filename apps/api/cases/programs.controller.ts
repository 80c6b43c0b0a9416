import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@koryu/domain';
import { type ProgramForm, programForm, type ProgramRegistry } from '@koryu/workflow';
import { PROGRAM_REGISTRY } from '@koryu/casework';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('programs')
export class ProgramsController {
  /** Each program's current form, worked out at start (a form class without decorators stops the start). */
  private readonly forms: ReadonlyMap<string, ProgramForm>;

  constructor(@Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry) {
    this.forms = new Map(programs.all().map((def) => [def.key, programForm(def)]));
  }

  @Get()
  @ApiOperation({ summary: 'Every program: states and actions with the roles that may take them (system = a timer)' })
  list() {
    return this.programs.all().map((def) => ({
      key: def.key,
      version: def.version,
      title: def.title,
      ownerKinds: def.ownerKinds,
      states: def.states.map((s) => ({ key: s.key, title: s.title, terminal: Boolean(s.terminal) })),
      actions: def.actions.map((a) => ({ key: a.key, title: a.title, from: a.from, to: a.to, roles: a.roles, commentRequired: Array.isArray(a.commentRequired) ? a.commentRequired : Boolean(a.commentRequired) })),
    }));
  }

  @Get(':key/form')
  @ApiOperation({
    summary:
      "The program's form as JSON Schema for web forms (one per variant, e.g. the JICA scheme), from the same class-validator classes the API validates with, and who may edit which fields in which states",
  })
  form(@Param('key') key: string): ProgramForm {
    const form = this.forms.get(key);
    if (!form) throw new NotFoundError();
    return form;
  }
}
