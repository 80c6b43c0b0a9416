export * from './facts';
export * from './deadlines';
export * from './reminders';
export * from './case.dto';
export * from './case.repository';
export * from './cases.service';
export * from './effects';
export * from './casework.module';
