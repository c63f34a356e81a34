export const TARGETS: Record<string, number>;
export const MARKER: string;
export function patchDylinkStart(text: string, runtimes: number, file?: string): { text: string; changed: boolean };
export function patchInstalled(): string[];
