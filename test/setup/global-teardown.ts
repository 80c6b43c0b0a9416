export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __koryuStops?: (() => Promise<void>)[] }).__koryuStops ?? [];
  await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
}
