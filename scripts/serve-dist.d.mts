import type { IncomingMessage, ServerResponse } from 'node:http';

export const IMMUTABLE: string;
export function serveDist(dir: string, opts?: { dev?: boolean }): (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
