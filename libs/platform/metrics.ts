import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Public } from './public.decorator';

/** One registry per process; services add their own metrics to it. */
export const metricsRegistry = new Registry();
/**
 * Node.js's own metrics (CPU, memory, GC, event-loop lag). The event-loop lag is sampled by a
 * timer every `eventLoopMonitoringPrecision` ms; prom-client's 10 ms woke an idle process about
 * 200 times a second, each wake-up paid in CPU by every service whether or not anything happened
 * (on this machine a wake-up from idle costs the order of 0.1 ms). Every 100 ms still records
 * any stall of the loop that holds a sample back, which is what the metric is for.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

export const httpRequestDuration = new Histogram({
  name: 'koryu_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status class',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const auditEvents = new Counter({
  name: 'koryu_audit_events_total',
  help: 'Audit-log entries written, by action and outcome',
  labelNames: ['action', 'outcome'] as const,
  registers: [metricsRegistry],
});

@ApiExcludeController()
@Public()
@Controller({ path: 'metrics' })
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
