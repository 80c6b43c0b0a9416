import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { negotiateLocale } from '@koryu/i18n';
import { classifyError } from './error-classifier';
import { domainErrorResponse, type ErrorResponse, unexpectedErrorResponse } from './error-response';

/**
 * The one place where errors become API.md's error body, localised by Accept-Language.
 * Unexpected errors are logged with an errorId that is also shown to the user; no stack, SQL or
 * path ever reaches the client.
 */
export function toErrorResponse(error: unknown, request: Pick<FastifyRequest, 'headers' | 'id'>, logger: Pick<Logger, 'error'>): ErrorResponse {
  const locale = negotiateLocale(request.headers['accept-language']);
  const requestId = String(request.id);
  const known = classifyError(error);
  if (known) return domainErrorResponse(known, locale, requestId);
  const response = unexpectedErrorResponse(locale, requestId);
  logger.error({ err: error, errorId: response.errorId, requestId }, 'unexpected error');
  return response;
}

export function sendError(reply: FastifyReply, response: ErrorResponse): void {
  void reply.status(response.status).headers({ ...response.headers, 'cache-control': 'no-store' }).send(response.body);
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(reply, toErrorResponse(error, request, this.logger));
  }
}
