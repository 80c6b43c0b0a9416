import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { toViolations, type Violation } from '@koryu/domain';
import type { FormDefinition, ProgramDefinition } from './definition';

/** The code of a field that `submit` needs but the draft does not have yet. */
export const FORM_INCOMPLETE = 'FORM_INCOMPLETE';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dto = new () => any;

/** The DTO that describes `data`: the variant's (e.g. the JICA scheme's) when it names one. */
export function formOf(form: FormDefinition, data: Record<string, unknown>): { dto: Dto; violations: Violation[] } {
  if (!form.variants) return { dto: form.dto, violations: [] };
  const value = data[form.variants.field];
  if (value === undefined || value === null) return { dto: form.dto, violations: [] };
  const dto = typeof value === 'string' ? form.variants.dtos[value] : undefined;
  if (dto) return { dto, violations: [] };
  return { dto: form.dto, violations: [{ field: form.variants.field, code: 'isIn', params: { values: Object.keys(form.variants.dtos).join(', ') } }] };
}

const TYPE_CHECKS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isDateString', 'isIso8601', 'nestedValidation', 'unknownField']);

/** A value of the wrong type gets only that violation: "many" is not a whole number, and "below 0" too is noise. */
function typeFirst(violations: Violation[]): Violation[] {
  const wrongType = new Set(violations.filter((v) => TYPE_CHECKS.has(v.code)).map((v) => v.field));
  return violations.filter((v) => !wrongType.has(v.field) || TYPE_CHECKS.has(v.code));
}

function missing(errors: ValidationError[], parent = ''): Set<string> {
  const paths = new Set<string>();
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.value === undefined || error.value === null) paths.add(field);
    for (const path of missing(error.children ?? [], field)) paths.add(path);
  }
  return paths;
}

/**
 * Checks case data against the program's form, purely (class-validator, no I/O).
 * - `save` (POST/PATCH, action data): shapes and types only; a draft may leave anything out, but
 *   unknown fields, wrong types and out-of-range values are violations (400).
 * - `submit`: every field the form requires must be there; each missing one is a
 *   `FORM_INCOMPLETE` violation (422). Shape violations are reported as in `save`.
 * Field paths are relative to `data` (`trainee.languages.0.level`).
 */
export function validateForm(def: ProgramDefinition, data: Record<string, unknown>, mode: 'save' | 'submit'): { shape: Violation[]; incomplete: Violation[] } {
  // A key holding `undefined` (never in JSON, but in code) is an absent field.
  const present = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  const { dto, violations: variant } = formOf(def.form, present);
  const instance = plainToInstance(dto, present, { enableImplicitConversion: false });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    skipMissingProperties: mode === 'save',
    validationError: { target: true, value: true },
  });
  const absent = mode === 'submit' ? missing(errors) : new Set<string>();
  const shape = [...variant, ...typeFirst(toViolations(errors).filter((v) => !absent.has(v.field)))];
  const incomplete = [...absent].sort().map((field) => ({ field, code: FORM_INCOMPLETE }));
  return { shape, incomplete };
}
