export type Redis = { url: string; started: boolean; stop: () => Promise<void> }
export function startRedis(options?: { log?: (msg: string) => void; dataDir?: string }): Promise<Redis>
export function ensureRedis(log?: (msg: string) => void): string
export const REDIS_SERVER: string
