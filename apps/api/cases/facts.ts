import type { FactLoader } from './cases.service';

/** The facts the registered programs' rules read, by name; the programs' loaders arrive with them (issue 5). */
export const FACTS: Record<string, FactLoader> = {};
