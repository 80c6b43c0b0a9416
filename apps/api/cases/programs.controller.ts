import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProgramRegistry } from '@koryu/workflow';
import { PROGRAM_REGISTRY } from '@koryu/casework';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('programs')
export class ProgramsController {
  constructor(@Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every program: states and actions with the roles that may take them (system = a timer)' })
  list() {
    return this.programs.all().map((def) => ({
      key: def.key,
      version: def.version,
      title: def.title,
      states: def.states.map((s) => ({ key: s.key, title: s.title, terminal: Boolean(s.terminal) })),
      actions: def.actions.map((a) => ({ key: a.key, title: a.title, from: a.from, to: a.to, roles: a.roles, commentRequired: Array.isArray(a.commentRequired) ? a.commentRequired : Boolean(a.commentRequired) })),
    }));
  }
}
