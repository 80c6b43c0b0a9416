import { assertDefinitions } from './check-definition';
import type { ProgramDefinition } from './definition';
import { AMBASSADOR_VISIT, GOVERNOR_CONFERENCE, JICA_APPLICATION, TRAINEE_SECONDMENT } from './programs';

/**
 * The programs a deployment runs, by key; every version stays registered, since a case keeps the
 * version it started with. Checked once when built: a broken definition stops the process.
 */
export class ProgramRegistry {
  private readonly byKey = new Map<string, ProgramDefinition[]>();

  constructor(definitions: readonly ProgramDefinition[]) {
    assertDefinitions(definitions);
    for (const def of definitions) this.byKey.set(def.key, [...(this.byKey.get(def.key) ?? []), def].sort((a, b) => a.version - b.version));
  }

  /** The newest version: what new cases start with. */
  current(key: string): ProgramDefinition | undefined {
    return this.byKey.get(key)?.at(-1);
  }

  version(key: string, version: number): ProgramDefinition | undefined {
    return this.byKey.get(key)?.find((d) => d.version === version);
  }

  all(): ProgramDefinition[] {
    return [...this.byKey.values()].map((versions) => versions.at(-1) as ProgramDefinition);
  }
}

/** The programs of DOMAIN.md. A new program is one definition file and one line here. */
export const PROGRAMS: readonly ProgramDefinition[] = [JICA_APPLICATION, AMBASSADOR_VISIT, TRAINEE_SECONDMENT, GOVERNOR_CONFERENCE];
