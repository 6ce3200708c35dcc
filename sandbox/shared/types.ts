/** Types shared by the simulators. */

export interface SimLogger {
  info(msg: string): void
  warn(msg: string): void
}

export const silentLogger: SimLogger = { info: () => undefined, warn: () => undefined }
