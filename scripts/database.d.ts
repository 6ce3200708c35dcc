export type Database = { url: string; embedded: boolean; fresh?: boolean; stop: () => Promise<void> }
export function startDatabase(options?: { dataDir?: string; log?: (msg: string) => void }): Promise<Database>
export function freePort(): Promise<number>
