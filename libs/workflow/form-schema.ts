import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { EditableFields, ProgramDefinition } from './definition';

// class-transformer's @Type() metadata, which tells the schema what a nested field holds; the package ships its JavaScript and its types in different folders.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/** A JSON Schema (draft-07 subset) of a program's form, self-contained: nested forms are inlined. */
export type FormSchema = ReturnType<typeof validationMetadatasToSchemas>[string];
type Converters = NonNullable<NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>['additionalConverters']>;

export interface ProgramForm {
  key: string;
  version: number;
  /** The field that picks the form (JICA's `scheme`) and its options; null when the program has one form. */
  variants: { field: string; options: string[] } | null;
  /** `default`, or one complete form per variant option. */
  schemas: Record<string, FormSchema>;
  editable: readonly EditableFields[];
}

/**
 * What the schema says where the decorator means more than its JSON type: the programs' dates are
 * calendar dates (YYYY-MM-DD) and countries ISO 3166-1 alpha-2 codes, so a form can offer a date
 * picker and a country list.
 */
const CONVERTERS: Converters = {
  isDateString: { type: 'string', format: 'date' },
  isISO31661Alpha2: { type: 'string', format: 'country', pattern: '^[A-Z]{2}$' },
  isMilitaryTime: { type: 'string', format: 'time', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
  isUUID: { type: 'string', format: 'uuid' },
};

let definitions: Record<string, FormSchema> | undefined;

/** Every class-validator class as a schema, by class name, read once (decorators run at import). */
function allSchemas(): Record<string, FormSchema> {
  definitions ??= validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/definitions/',
    additionalConverters: CONVERTERS,
  }) as Record<string, FormSchema>;
  return definitions;
}

/** The schema with every `$ref` replaced by the schema it names (the forms nest, never recursively). */
function inline(schema: unknown, all: Record<string, FormSchema>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inline(item, all));
  if (!schema || typeof schema !== 'object') return schema;
  const { $ref, ...rest } = schema as Record<string, unknown>;
  if (typeof $ref === 'string') {
    const name = $ref.replace('#/definitions/', '');
    const target = all[name];
    if (!target) throw new Error(`form schema: ${$ref} names no validated class`);
    return inline(target, all);
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, inline(value, all)]));
}

/** The program's form as JSON Schema (for web forms), with its variants and who may edit what when. */
export function programForm(def: ProgramDefinition): ProgramForm {
  const all = allSchemas();
  const schemaOf = (dto: { name: string }): FormSchema => {
    const schema = all[dto.name];
    if (!schema) throw new Error(`form schema: ${dto.name} (program ${def.key}) has no class-validator decorators`);
    return { type: 'object', ...(inline(schema, all) as FormSchema) };
  };
  const variants = def.form.variants;
  return {
    key: def.key,
    version: def.version,
    variants: variants ? { field: variants.field, options: Object.keys(variants.dtos) } : null,
    schemas: variants ? Object.fromEntries(Object.entries(variants.dtos).map(([option, dto]) => [option, schemaOf(dto)])) : { default: schemaOf(def.form.dto) },
    editable: def.editable,
  };
}
