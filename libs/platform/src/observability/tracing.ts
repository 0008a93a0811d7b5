import { type Context, ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  serviceName: string;
  exporter: 'none' | 'otlp' | 'console';
  otlpEndpoint?: string | undefined;
}

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry once per process. Off by default: the W3C propagator is registered
 * anyway, so a trace context that arrives in Kafka headers or HTTP is carried in outgoing
 * headers by code that passes it explicitly; spans are only recorded with an exporter.
 */
export function startTracing(options: TracingOptions): void {
  if (sdk !== undefined) return;
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (options.exporter === 'none') return;
  const traceExporter =
    options.exporter === 'console'
      ? new ConsoleSpanExporter()
      : new OTLPTraceExporter(
          options.otlpEndpoint ? { url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` } : {},
        );
  sdk = new NodeSDK({ serviceName: options.serviceName, traceExporter, instrumentations: [] });
  sdk.start();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

export const tracer = () => trace.getTracer('shardcast');

/** Writes the active trace context into Kafka message headers. */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads a trace context from consumed Kafka headers (Buffers, as kafkajs delivers them). */
export function extractTraceContext(headers: Record<string, unknown> | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof first === 'string' || Buffer.isBuffer(first)) carrier[name] = first.toString();
  }
  return propagation.extract(ROOT_CONTEXT, carrier);
}
