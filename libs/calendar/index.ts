export * from './fiscal-year';
export * from './business-days';
