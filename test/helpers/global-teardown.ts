export default async function globalTeardown(): Promise<void> {
  await globalThis.__MQL_EMBEDDED__?.stop();
}
