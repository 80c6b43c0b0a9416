/**
 * A program is data: states, actions, rules and timers. The engine (engine.ts) interprets it;
 * adding a program is writing one definition and registering it. No I/O here: rules read the case
 * data and `facts` the host loaded before asking.
 */
export type Localized = { ja: string; en: string };
export type ActorRole = 'staff' | 'manager' | 'admin' | 'system';
export type OrganisationKind = 'prefecture' | 'municipality' | 'association';

export interface StateDefinition {
  key: string;
  title: Localized;
  terminal?: boolean;
  /** The case was given up here (withdrawn, cancelled, rejected, declined): its deadlines are cancelled, not done. */
  abandoned?: boolean;
}

export interface ActionDefinition {
  key: string;
  title: Localized;
  from: readonly string[];
  to: string;
  roles: readonly ActorRole[];
  /** true: always; a list of roles: only when the actor takes it in one of them (a manager ending early). */
  commentRequired?: boolean | readonly ActorRole[];
  /** Rule codes checked on this action (on `submit`, every field rule of the program runs too). */
  rules?: readonly string[];
  /**
   * Effects the host performs in the same transaction as the transition (e.g. `survey.open`
   * creates one response per invited organisation). Names, so the engine stays free of I/O.
   */
  effects?: readonly string[];
}

/** A value in a rule message: a number or text, or a name in each language (a JICA scheme's title). */
export type RuleParam = string | number | Localized;

export interface RuleViolation {
  field: string;
  code: string;
  params?: Record<string, RuleParam>;
}

export interface RuleContext<Facts = Record<string, unknown>> {
  data: Record<string, unknown>;
  /** Kind of the organisation that owns the case. */
  ownerKind?: OrganisationKind;
  state: string;
  now: Date;
  facts: Facts;
}

export interface RuleDefinition {
  code: string;
  /** A manager may pass it with `override: { reason }`; recorded in history. */
  overridable?: boolean;
  /** Part of "the form is complete": run on `submit`. */
  fieldRule?: boolean;
  /** Facts the host must load before this rule runs. */
  needs?: readonly string[];
  /**
   * For rules that count other cases (at most two conferences a fiscal year): the host loads the
   * facts and writes under a transaction-scoped lock on this key, so two simultaneous approvals
   * cannot both see room under the limit.
   */
  lockKey?(context: { data: Record<string, unknown>; organisationId: string }): string;
  messages: Localized;
  check(context: RuleContext): RuleViolation[];
}

/** A date relative to case data: a whole day, a JST wall time, or an instant. */
export type DueSpec = { date: string; time?: string } | { instant: string };

export interface TimerDefinition {
  /** The action the system performs when the timer fires. */
  action: string;
  whileIn: string;
  due(data: Record<string, unknown>): DueSpec | undefined;
}

export interface DeadlineDefinition {
  key: string;
  title: Localized;
  whileIn: readonly string[];
  due(data: Record<string, unknown>, facts: Record<string, unknown>): DueSpec | undefined;
  remindBefore?: readonly string[];
  /** Who is reminded: the owning organisation (default), or the invited organisations that have not answered yet. */
  audience?: 'owner' | 'pending-invitees';
  /** Facts `due` reads (e.g. the JICA call's closing time). */
  needs?: readonly string[];
  /** A recurring deadline (ISO-8601 duration, e.g. `P6M` for progress reports) counted from the first. */
  repeatEvery?: string;
}

export interface EditableFields {
  states: readonly string[];
  roles: readonly ActorRole[];
  /** '*' for every field. */
  fields: readonly string[] | '*';
}

/**
 * The case data's form as class-validator DTOs: one for the program, or one per variant (the
 * value of `variants.field`, e.g. the JICA `scheme`). Saving checks shapes and types; `submit`
 * also needs every property that is not `@IsOptional()`.
 */
export interface FormDefinition {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  dto: new () => any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  variants?: { field: string; dtos: Readonly<Record<string, new () => any>> };
}

export interface ProgramDefinition {
  key: string;
  version: number;
  title: Localized;
  ownerKinds: readonly OrganisationKind[];
  initialState: string;
  states: readonly StateDefinition[];
  actions: readonly ActionDefinition[];
  rules: readonly RuleDefinition[];
  form: FormDefinition;
  editable: readonly EditableFields[];
  timers?: readonly TimerDefinition[];
  deadlines?: readonly DeadlineDefinition[];
  /** Organisations invited to a case (a field holding organisation ids) and what they may read. */
  invitations?: { field: string; publicFields: readonly string[] };
  titleOf(data: Record<string, unknown>): string;
  /** Fiscal year the case belongs to, for lists and CSV; undefined when the data does not say yet. */
  fiscalYearOf?(data: Record<string, unknown>): number | undefined;
}
