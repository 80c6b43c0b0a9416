import { type DynamicModule, Module } from '@nestjs/common';
import { type ProgramDefinition, ProgramRegistry, PROGRAMS } from '@koryu/workflow';
import { CaseRepository } from './case.repository';
import { CASE_EFFECTS, CasesService, FACT_LOADERS, PROGRAM_REGISTRY } from './cases.service';
import { EFFECTS } from './effects';
import { type FactLoader, FACTS } from './facts';

export interface CaseworkOptions {
  /** The programs to run; the registered ones by default (tests add their own definitions). */
  programs?: readonly ProgramDefinition[];
  /** Loaders of facts beyond FACTS, by name (tests add their own). */
  factLoaders?: Record<string, FactLoader>;
}

/**
 * The engine's host, shared by the API (people's actions) and the worker (timer transitions):
 * the program registry, checked when the module is built so a broken definition stops the process,
 * the fact loaders and effects, the case repository and the cases service.
 */
@Module({})
export class CaseworkModule {
  static forRoot(options: CaseworkOptions = {}): DynamicModule {
    const registry = new ProgramRegistry(options.programs ?? PROGRAMS);
    const values = [
      { provide: PROGRAM_REGISTRY, useValue: registry },
      { provide: FACT_LOADERS, useValue: new Map(Object.entries({ ...FACTS, ...options.factLoaders })) },
      { provide: CASE_EFFECTS, useValue: new Map(Object.entries(EFFECTS)) },
    ];
    return {
      module: CaseworkModule,
      providers: [...values, CaseRepository, CasesService],
      exports: [PROGRAM_REGISTRY, FACT_LOADERS, CASE_EFFECTS, CaseRepository, CasesService],
    };
  }
}
