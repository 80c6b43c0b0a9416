import { getMetadataStorage, type ValidationError } from 'class-validator';
import type { Violation } from './errors';

/** Turns a constraint's arguments into message placeholders (`{min}`, `{max}`, `{values}`). */
function constraintParams(constraint: string, args: unknown[]): Record<string, string | number> {
  const [first, second] = args;
  switch (constraint) {
    case 'min':
    case 'minLength':
    case 'arrayMinSize':
      return { min: Number(first) };
    case 'max':
    case 'maxLength':
    case 'arrayMaxSize':
      return { max: Number(first) };
    case 'isLength':
      return { min: Number(first), max: Number(second) };
    case 'isIn':
      return { values: Array.isArray(first) ? first.join(', ') : String(first) };
    case 'isEnum':
      return { values: first && typeof first === 'object' ? Object.values(first).join(', ') : String(first) };
    default:
      return {};
  }
}

function argumentsOf(error: ValidationError, constraint: string): unknown[] {
  const target = error.target?.constructor;
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .find((m) => m.propertyName === error.property && (m.name === constraint || m.type === constraint));
  return metadata?.constraints ?? [];
}

/** Flattens class-validator's tree into API.md violations with dotted field paths. */
export function toViolations(errors: ValidationError[], parent = ''): Violation[] {
  const violations: Violation[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const constraint of Object.keys(error.constraints ?? {})) {
      const code = constraint === 'whitelistValidation' ? 'unknownField' : constraint;
      violations.push({ field, code, params: constraintParams(constraint, argumentsOf(error, constraint)) });
    }
    if (error.children?.length) violations.push(...toViolations(error.children, field));
  }
  return violations;
}
