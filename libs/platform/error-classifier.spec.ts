import { DomainError } from '@koryu/domain';
import { classifyError, isDatabaseUnreachable } from './error-classifier';

/** A database driver error as `pg` raises it: a message and its SQLSTATE. */
function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it.each([
    ['the server shutting down', pgError('terminating connection due to administrator command', '57P01')],
    ['no connection slot left', pgError('sorry, too many clients already', '53300')],
    ['a database closed to connections', pgError('database "koryu" is not currently accepting connections', '55000')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a deadlock that outlasted its retries', pgError('deadlock detected', '40P01')],
  ])('answers 503 for %s', (_, error) => {
    expect(classifyError(error)?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers 409 for a unique violation', () => {
    expect(classifyError(pgError('duplicate key value violates unique constraint', '23505'))?.code).toBe('CONFLICT');
  });

  it('leaves other SQLSTATE 55000 errors and unknown errors to the 500 path', () => {
    expect(classifyError(pgError('currval of sequence "s" is not yet defined in this session', '55000'))).toBeUndefined();
    expect(classifyError(new TypeError('x is undefined'))).toBeUndefined();
  });

  it('passes a DomainError through', () => {
    const error = new DomainError('NOT_FOUND');
    expect(classifyError(error)).toBe(error);
  });
});

describe('isDatabaseUnreachable', () => {
  it('tells an unreachable database from other failures', () => {
    expect(isDatabaseUnreachable(pgError('terminating connection due to immediate shutdown command', '57P01'))).toBe(true);
    expect(isDatabaseUnreachable(pgError('the database system is starting up', '57P03'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable({ message: 'query failed', driverError: { code: 'ECONNRESET' } })).toBe(true);
    // Conflicts are the work's own, and answered 503 only once their retries are used up.
    expect(isDatabaseUnreachable(pgError('deadlock detected', '40P01'))).toBe(false);
    expect(isDatabaseUnreachable(pgError('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isDatabaseUnreachable(new TypeError('x is undefined'))).toBe(false);
  });
});
