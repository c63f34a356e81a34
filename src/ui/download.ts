/** An ordinary browser download of bytes we made, through a short-lived object URL. */
export function downloadBytes(bytes: Uint8Array | readonly Uint8Array[], filename: string, type: string): void {
  const parts = (Array.isArray(bytes) ? bytes : [bytes]) as BlobPart[];
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
