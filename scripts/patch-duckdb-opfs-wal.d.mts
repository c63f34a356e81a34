export const TARGETS: string[];
export const MARKER: string;
export function patchOpfsWal(text: string, file?: string): { text: string; changed: boolean };
export function patchInstalled(): string[];
