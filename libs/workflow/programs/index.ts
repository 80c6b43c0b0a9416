export * from './ambassador-visit.definition';
export * from './governor-conference.definition';
export * from './jica-application.definition';
export * from './trainee-secondment.definition';
