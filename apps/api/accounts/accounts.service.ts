import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, ValidationFailedError } from '@koryu/domain';
import { hashPassword } from '@koryu/persistence';
import { AuditService, requireActor } from '@koryu/platform';
import { AccountRepository, type OrganisationRow, type UserRow } from './account.repository';
import type { CreateOrganisationDto } from './dto/create-organisation.dto';
import type { CreateUserDto } from './dto/create-user.dto';
import type { UpdateUserDto } from './dto/update-user.dto';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string; driverError?: { code?: string } })?.driverError?.code === '23505' || (error as { code?: string })?.code === '23505';
}

/** Admin changes to organisations and users; each one is audited in the same transaction. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly audit: AuditService,
  ) {}

  listOrganisations(): Promise<OrganisationRow[]> {
    return this.accounts.listOrganisations();
  }

  async createOrganisation(input: CreateOrganisationDto): Promise<OrganisationRow> {
    try {
      return await this.accounts.transaction(async (manager) => {
        const organisation = await this.accounts.insertOrganisation(manager, input);
        await this.audit.record({ action: 'organisation.create', outcome: 'success', subject: organisation.id, detail: { ...input } }, manager);
        return organisation;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError([{ field: 'code', code: 'unique' }]);
      throw error;
    }
  }

  listUsers(organisationId?: string): Promise<UserRow[]> {
    return this.accounts.listUsers(organisationId);
  }

  async createUser(input: CreateUserDto): Promise<UserRow> {
    const actor = requireActor();
    // An organisation's admin manages its own users only; another organisation is "not found".
    if (!actor.operator && input.organisationId !== actor.organisationId) throw new ValidationFailedError([{ field: 'organisationId', code: 'invalid' }]);
    if (!(await this.accounts.findOrganisation(input.organisationId))) throw new ValidationFailedError([{ field: 'organisationId', code: 'invalid' }]);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.accounts.transaction(async (manager) => {
        const user = await this.accounts.insertUser(manager, { ...input, email: input.email.toLowerCase(), passwordHash });
        await this.audit.record(
          { action: 'user.create', outcome: 'success', subject: user.id, detail: { email: user.email, organisationId: user.organisationId, roles: user.roles } },
          manager,
        );
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError([{ field: 'email', code: 'unique' }]);
      throw error;
    }
  }

  async updateUser(id: string, input: UpdateUserDto): Promise<UserRow> {
    if (!(await this.accounts.findUser(id))) throw new NotFoundError();
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    return this.accounts.transaction(async (manager) => {
      const user = await this.accounts.updateUser(manager, id, { name: input.name, roles: input.roles, locale: input.locale, disabled: input.disabled, passwordHash });
      const { password: _password, ...changes } = input;
      await this.audit.record(
        { action: 'user.update', outcome: 'success', subject: id, detail: { ...changes, passwordChanged: Boolean(passwordHash) } },
        manager,
      );
      return user;
    });
  }
}
